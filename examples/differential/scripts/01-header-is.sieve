require "fileinto";
if header :is "subject" "Lunch tomorrow?" { fileinto "Personal"; }
