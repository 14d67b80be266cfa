# File likely spam into Junk, using the score the spam filter wrote into X-Spam-Score
# (run with --config examples/config/spamtest-score.json).
require ["spamtest", "fileinto", "relational", "comparator-i;ascii-numeric"];

if spamtest :value "ge" :comparator "i;ascii-numeric" "8" {
  fileinto "Junk";
  stop;
}
if header :contains "subject" ["viagra", "lottery", "free cruise"] {
  fileinto "Junk";
}
