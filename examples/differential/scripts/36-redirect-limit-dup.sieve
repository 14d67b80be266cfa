redirect "helper@example.net";
redirect "helper@EXAMPLE.net";
