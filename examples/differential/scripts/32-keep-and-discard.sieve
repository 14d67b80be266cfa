keep;
if header :contains "subject" "sale" { discard; }
