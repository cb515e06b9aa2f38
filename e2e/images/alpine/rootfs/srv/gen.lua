-- Renders the test page. The C module is found by require (dlopen of a computed path): phase 1
-- sees it mapped, since this stays alive a moment after loading it.
package.cpath = "/usr/lib/lua/5.4/?.so"
local confine = require("confine")
local kernel = confine.kernel()
local t = os.clock()
while os.clock() - t < 1.5 do end
local f = assert(io.open("/etc/passwd"))
local users = 0
for _ in f:lines() do users = users + 1 end
f:close()
io.write(string.format("<h1>lua %s on %s, %d user(s)</h1>\n", _VERSION, kernel, users))
