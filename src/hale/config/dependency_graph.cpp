// Cycles in a graph of depends_on entries (see dependency_graph.h).
#include "hale/config/dependency_graph.h"

#include <algorithm>

namespace hale::config {

void report_cycles(const DependencyGraph& graph, std::string_view key, Diagnostics& d) {
  enum class Mark { kNew, kOnPath, kDone };
  std::map<std::string_view, Mark, std::less<>> mark;
  for (const auto& [name, _] : graph) mark[name] = Mark::kNew;

  struct Frame {
    std::string_view node;
    std::size_t next_edge = 0;
  };
  for (const auto& [root, _] : graph) {
    if (mark[root] != Mark::kNew) continue;
    // Iterative depth-first search: a long chain must not exhaust the stack.
    std::vector<Frame> path{{root}};
    mark[root] = Mark::kOnPath;
    while (!path.empty()) {
      Frame& top = path.back();
      const auto& out = graph.find(top.node)->second;
      if (top.next_edge == out.size()) {
        mark[top.node] = Mark::kDone;
        path.pop_back();
        continue;
      }
      const Edge& e = out[top.next_edge++];
      const auto to = graph.find(e.to);
      if (to == graph.end()) continue;  // a name whose table was not read (already reported)
      const Mark m = mark[to->first];
      if (m == Mark::kNew) {
        mark[to->first] = Mark::kOnPath;
        path.push_back(Frame{to->first});
        continue;
      }
      if (m != Mark::kOnPath) continue;
      // A back edge: the cycle is the path from `to` up to here.
      std::vector<std::string_view> cycle;
      auto it = std::find_if(path.begin(), path.end(), [&](const Frame& f) { return f.node == to->first; });
      for (; it != path.end(); ++it) cycle.push_back(it->node);
      std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
      std::string text;
      for (std::string_view n : cycle) text += std::string(n) + " -> ";
      text += std::string(cycle.front());
      const std::string_view first = cycle.front();
      const std::string_view second = cycle.size() > 1 ? cycle[1] : cycle.front();
      const auto& first_edges = graph.find(first)->second;
      const auto edge = std::find_if(first_edges.begin(), first_edges.end(),
                                     [&](const Edge& x) { return x.to == second; });
      d.add(edge->at, std::string(key) + " forms a cycle: " + text);
    }
  }
}

}  // namespace hale::config
