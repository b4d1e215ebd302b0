// The dashboard's files (SPEC §10, docs/dashboard.md), compiled into the binary: web/'s sources
// bundled at build time (cmake/web_assets.cmake) into a generated web_assets.cpp, so that hale
// serves its dashboard with nothing fetched at run time.
#pragma once

#include <span>
#include <string_view>

namespace hale {

struct WebAsset {
  // "index.html" (the page at /), or a bundle under its content-hashed name ("app.3f9a1c2b7d04.js")
  std::string_view name;
  const char* content_type;  // a string literal
  std::string_view etag;     // a strong validator of the bytes, quotes included
  std::span<const unsigned char> bytes;
};

// Every asset, in a fixed order: the bundles, then index.html.
std::span<const WebAsset> web_assets();

// The asset named `name`, or nullptr.
const WebAsset* find_web_asset(std::string_view name);

}  // namespace hale
