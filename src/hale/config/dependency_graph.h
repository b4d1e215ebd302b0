// A graph of `depends_on` entries (services on services, checks on checks) and its one rule:
// no cycle.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "hale/config.h"
#include "hale/config/diagnostics.h"

namespace hale::config {

// One entry that names another node: an edge that must not close a cycle.
struct Edge {
  std::string to;
  SourcePos at;  // where the entry is written
};

// Every node (also one with other errors) and its edges.
using DependencyGraph = std::map<std::string, std::vector<Edge>, std::less<>>;

// Reports every cycle once, as "`key` forms a cycle: a -> b -> a" starting from its smallest
// name, at the entry of that node's `key` that leads into the cycle.
void report_cycles(const DependencyGraph& graph, std::string_view key, Diagnostics& d);

}  // namespace hale::config
