require ["vacation", "fileinto"];
if header :contains "subject" "[dev]" { fileinto "Lists"; stop; }
vacation :addresses ["bob@example.com", "bob+receipts@example.com"] :subject "Away" "Back next week.";
