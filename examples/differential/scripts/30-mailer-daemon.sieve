require ["fileinto", "envelope"];
if envelope :localpart :is "from" "mailer-daemon" { fileinto "Bounces"; }
elsif header :is "auto-submitted" "auto-replied" { fileinto "Auto"; }
