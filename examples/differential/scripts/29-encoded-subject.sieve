require "fileinto";
if header :contains "subject" "café" { fileinto "Cafe"; }
if address :is "from" "jose@example.es" { fileinto "Jose"; }
if header :contains "from" "García" { fileinto "Garcia"; }
