# Turns a text file into a C++ source defining `std::string_view NAME()`.
# Usage: cmake -DIN=file -DOUT=file.cpp -DNAME=function -P embed.cmake
file(READ "${IN}" content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${content}")
string(LENGTH "${content}" hexlen)
math(EXPR len "${hexlen} / 2")
file(WRITE "${OUT}" "// Generated from ${IN} by engine/cmake/embed.cmake; do not edit.\n#include <string_view>\nnamespace kartiba {\nstatic const char ${NAME}_data[] = {${bytes} 0};\nstd::string_view ${NAME}() { return {${NAME}_data, ${len}}; }\n}  // namespace kartiba\n")
