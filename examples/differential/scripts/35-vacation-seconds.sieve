require ["vacation-seconds"];
if not exists "list-id" { vacation :seconds 3600 :from "bob@example.com" "Short absence."; }
