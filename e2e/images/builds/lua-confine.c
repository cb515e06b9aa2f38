/* A Lua C module for the Alpine-layout test image: lua loads it with dlopen (require "confine")
   and its function makes a syscall the interpreter itself never makes (uname). */
#include <sys/utsname.h>
#include "lua.h"
#include "lauxlib.h"

static int kernel(lua_State *L) {
  struct utsname u;
  if (uname(&u) != 0) return luaL_error(L, "uname failed");
  lua_pushstring(L, u.release);
  return 1;
}

int luaopen_confine(lua_State *L) {
  lua_newtable(L);
  lua_pushcfunction(L, kernel);
  lua_setfield(L, -2, "kernel");
  return 1;
}
