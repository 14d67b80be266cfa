if header :contains "subject" "cruise" { discard; }
