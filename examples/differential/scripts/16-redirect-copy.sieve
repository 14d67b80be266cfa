require ["copy", "fileinto"];
redirect :copy "archive@example.net";
if header :contains "subject" "meeting" { fileinto :copy "Meetings"; }
