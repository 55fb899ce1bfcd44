"""The government services network (政务服务网): each of its services behind a small adapter with a
local default (a file shipped in seeds/govnet/), switched to HTTP by settings."""
