// The text helpers the renderers share (render_*.cpp): making data valid UTF-8, taking control
// characters out of what must be one line, cutting to a receiver's limit at a character boundary,
// and the words an alert is described with. Pure; unit-tested through render_test.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "hale/model/alert.h"

namespace hale::render {

// `s` as valid UTF-8: every byte that does not start a well-formed sequence (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF) becomes U+FFFD.
std::string valid_utf8(std::string_view s);

// valid_utf8, with every control character (C0, DEL, C1, U+2028, U+2029) replaced by a space:
// for headlines, header values and one-line fields.
std::string one_line(std::string_view s);

// valid_utf8, with CRLF and CR made LF and every other control character (tabs kept) replaced by
// a space, trailing blanks and line ends dropped: for message bodies that may keep their lines.
std::string multi_line(std::string_view s);

// Counts of valid UTF-8 text: code points, and UTF-16 code units (a character beyond U+FFFF
// counts two), the stricter count for receivers that limit "characters" without saying which.
std::size_t code_points(std::string_view s);
std::size_t utf16_units(std::string_view s);

// Valid UTF-8 `s` cut to at most `max` code points / UTF-16 units / bytes, ending in "…" when it
// was cut (the ellipsis is counted in `max`). Never splits a character.
std::string cut_code_points(std::string_view s, std::size_t max);
std::string cut_utf16(std::string_view s, std::size_t max);
std::string cut_bytes(std::string_view s, std::size_t max);

// What the alert says, as the headline's tag shows it.
enum class Phase { kFiring, kResolved, kFlapping, kStable };
Phase phase(const Alert& a);  // kFlapping/kStable for the flapping key (firing/resolved)

// "check db": the kind and the subject's name, one line.
std::string subject_label(const Alert& a);
// The subject's own word for its status now ("fail", "down", "failed"), or the status's name.
std::string state_word(const Alert& a);
// The status a problem key is about: for a resolution the one that ended; "flapping" for the
// flapping key.
std::string problem_status(const Alert& a);
// "fail (was ok)": the state now and the status before; "flapping (now fail)" and
// "stable (now ok)" for the flapping key.
std::string status_summary(const Alert& a);
// How long the problem lasted, for a resolution or stable again: "32m10s" (whole seconds);
// empty when not positive.
std::string lasted(const Alert& a);
// When, as a labelled field: ("Since", "2026-04-18T17:58:02Z") while a problem lasts;
// ("Lasted", "32m10s, from 2026-04-18T17:58:02Z") once it ended.
std::pair<std::string, std::string> when_field(const Alert& a);
// The same in a sentence: "since 2026-04-18T17:58:02Z", "after 32m10s, from 2026-04-18T17:58:02Z".
std::string when_phrase(const Alert& a);
// The colour of an alert in chat (0xRRGGBB): red for a critical problem, amber for a warning or
// flapping, green for a resolution or stable again.
std::uint32_t colour(const Alert& a);
// "Check", "Fail": the first letter upper-cased (ASCII).
std::string capitalised(std::string_view s);
// "2026-04-18T17:58:02Z"
std::string iso(WallTime t);
// Seconds since the epoch, rounded down.
std::int64_t epoch_seconds(WallTime t);

// "Bearer <token>", with any CR, LF or NUL taken out (a token read from a file may end in a
// newline; a header must not be split).
std::string bearer(std::string_view token);

// A JSON value as compact text, raw UTF-8, invalid UTF-8 replaced: the one serialisation every
// JSON body uses, so that what is signed is what is sent.
std::string dump(const nlohmann::ordered_json& j);

}  // namespace hale::render
