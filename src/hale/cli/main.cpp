// hale's command line: parses the subcommand and hands over to cmd_<verb>.cpp.
#include <cstdio>
int main() { std::puts("hale: under construction"); return 0; }
