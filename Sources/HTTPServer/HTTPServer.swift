// Placeholder: the HTTP/1.1 server lives here (issue 3).
