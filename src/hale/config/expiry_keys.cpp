// The keys of an expiry check (SPEC §5): where the credential is (`source`, or `url` shared with
// http), how its date is found (`format`, `json_pointer`) and the thresholds (`warn_before` and
// `fail_before`, shared with tls, with defaults of their own here).
//
// `source` is deliberately not resolved like an `env:`/`file:` secret (secret.cpp resolves those
// once, at load): the check watches the credential, which its owner rewrites when it refreshes
// it, so only the reference is kept and the probe reads it every time.
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>

#include "hale/config/check_keys.h"
#include "hale/config/toml_reader.h"

namespace hale::config {

namespace {

// RFC 6901: empty (the whole document), or "/"-separated tokens where '~' is only "~0" or "~1".
// Why not, in words an operator can act on; nullopt when valid.
std::optional<std::string> json_pointer_problem(const std::string& text) {
  if (!text.empty() && text.front() != '/') return "must start with '/' (RFC 6901), e.g. \"/" + text + "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '~' && (i + 1 == text.size() || (text[i + 1] != '0' && text[i + 1] != '1'))) {
      return std::string("has a '~' not followed by 0 or 1 (write ~0 for '~' and ~1 for '/')");
    }
  }
  // The probe builds the same pointer: whatever nlohmann-json refuses must be refused here.
  try {
    nlohmann::json::json_pointer pointer(text);
  } catch (const nlohmann::json::exception&) {
    return std::string("is not a JSON pointer (RFC 6901)");
  }
  return std::nullopt;
}

}  // namespace

void apply_source(const KeyCall& c) {
  auto text = read_nonempty_string(c.value, c.key, c.diagnostics());
  if (!text) return;
  if (text->starts_with("env:")) {
    if (text->size() == 4) {
      c.diagnostics().add(c.value, backticked(c.key) + ": `env:` needs a variable name, e.g. env:API_TOKEN");
      return;
    }
    set_on<ExpiryCheck>(c.spec, [&](ExpiryCheck& k) {
      k.source_kind = ExpirySource::kEnv;
      k.source = text->substr(4);
    });
    return;
  }
  // The "or from a file path": a plain path is a file, like `file:PATH`.
  const std::string path = text->starts_with("file:") ? text->substr(5) : *text;
  if (path.empty()) {
    c.diagnostics().add(c.value, backticked(c.key) + ": `file:` needs a path, e.g. file:/run/secrets/token.json");
    return;
  }
  if (path.find("://") != std::string::npos) {
    // Not echoed: a URL may carry credentials.
    c.diagnostics().add(c.value, backticked(c.key) + " is a file or env:NAME; a URL goes in `url`");
    return;
  }
  set_on<ExpiryCheck>(c.spec, [&](ExpiryCheck& k) {
    k.source_kind = ExpirySource::kFile;
    k.source = c.ctx.resolve_path(path);
  });
}

void apply_format(const KeyCall& c) {
  auto text = read_string(c.value, c.key, c.diagnostics());
  if (!text) return;
  if (*text == "jwt") {
    set_on<ExpiryCheck>(c.spec, [](ExpiryCheck& k) { k.format = ExpiryFormat::kJwt; });
  } else if (*text == "json") {
    set_on<ExpiryCheck>(c.spec, [](ExpiryCheck& k) { k.format = ExpiryFormat::kJson; });
  } else {
    c.diagnostics().add(c.value, backticked(c.key) + ": unknown format \"" + *text +
                                     "\" (expected jwt: the `exp` claim, or json: a timestamp at `json_pointer`)");
  }
}

void apply_json_pointer(const KeyCall& c) {
  auto text = read_string(c.value, c.key, c.diagnostics());
  if (!text) return;
  if (auto problem = json_pointer_problem(*text)) {
    c.diagnostics().add(c.value, backticked(c.key) + " \"" + *text + "\" " + *problem);
    return;
  }
  set_on<ExpiryCheck>(c.spec, [&](ExpiryCheck& k) { k.json_pointer = *text; });
}

void check_expiry_table(std::string_view check, ExpiryCheck& s, const toml::table& table, Diagnostics& d) {
  const toml::node* source = table.get("source");
  const toml::node* url = table.get("url");
  if (source == nullptr && url == nullptr) {
    d.add(table, "check \"" + std::string(check) + "\": type \"expiry\" needs `source` (file:PATH, env:NAME or a path) or `url`");
  } else if (source != nullptr && url != nullptr) {
    // Reported at whichever of the two comes second in the file.
    const SourcePos sp = position_of(*source), up = position_of(*url);
    const bool url_second = std::tie(up.line, up.column) > std::tie(sp.line, sp.column);
    d.add(url_second ? *url : *source, "`source` and `url` cannot both be set: an expiry check reads one document");
  } else if (url != nullptr) {
    s.source_kind = ExpirySource::kUrl;
    s.source.clear();
  }

  const toml::node* format = table.get("format");
  if (format == nullptr) {
    // A pointer says the document is JSON; a JWT inside a JSON document needs `format = "jwt"`.
    s.format = s.json_pointer ? ExpiryFormat::kJson : ExpiryFormat::kJwt;
  } else if (s.format == ExpiryFormat::kJson && !s.json_pointer && table.get("json_pointer") == nullptr) {
    d.add(*format, "`format = \"json\"` needs `json_pointer` (where the timestamp is, e.g. \"/expires_at\")");
  }
}

}  // namespace hale::config
