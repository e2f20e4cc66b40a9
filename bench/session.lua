-- A visitor with one of the shop's cookies (an unknown session): the page is rendered
-- for them, never taken from the page cache.
wrk.headers["Cookie"] = "mercato_session=bench-visitor-without-a-session"
