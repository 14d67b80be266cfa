if address :is "from" "alice@example.org" { redirect "assistant@example.com"; }
