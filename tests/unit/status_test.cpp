// Status carries a code beside its message (status.h).
#include "hale/status.h"

#include <gtest/gtest.h>

namespace hale {
namespace {

TEST(StatusCodes, OkHasNoCodeAndEveryFailureHasOne) {
  EXPECT_EQ(Status::ok().code(), StatusCode::kOk);
  EXPECT_TRUE(Status::ok().is_ok());
  EXPECT_EQ(Status::error("bad value").code(), StatusCode::kInvalid);
  EXPECT_EQ(Status::not_found("no such zone").code(), StatusCode::kNotFound);
  EXPECT_EQ(Status::unavailable("disk full").code(), StatusCode::kUnavailable);
  EXPECT_EQ(Status::unavailable("disk full").message(), "disk full");
  // A failure asked for with the code of success is still a failure.
  const Status odd = Status::error(StatusCode::kOk, "odd");
  EXPECT_FALSE(odd.is_ok());
  EXPECT_EQ(odd.code(), StatusCode::kInvalid);
}

TEST(StatusCodes, StatusOrKeepsTheCode) {
  StatusOr<int> missing = Status::not_found("gone");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  StatusOr<int> fine = 3;
  EXPECT_EQ(fine.status().code(), StatusCode::kOk);
  EXPECT_EQ(*fine, 3);
}

}  // namespace
}  // namespace hale
