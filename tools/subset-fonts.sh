#!/bin/sh
# Subsets DejaVu Sans (Debian's fonts-dejavu-core, 2.37) to the characters sco-bot's pictures
# use: Latin (ASCII, Latin-1, Latin Extended-A), Cyrillic, and common punctuation. Chinese is
# not covered, so pictures show Chinese names nowhere. Run once; the output is committed.
#   apt-get install fonts-dejavu-core && pip install fonttools && sh tools/subset-fonts.sh
set -eu
src=/usr/share/fonts/truetype/dejavu
ranges="U+0020-007E,U+00A0-017F,U+0400-045F,U+2010-2027,U+2030-203A,U+2190-2193,U+2212,U+25CF"
for f in DejaVuSans DejaVuSans-Bold; do
  pyftsubset "$src/$f.ttf" --unicodes="$ranges" --no-hinting --layout-features='kern,liga' \
    --output-file="assets/fonts/$f.ttf"
done
cp /usr/share/doc/fonts-dejavu-core/copyright assets/fonts/LICENSE-DejaVu.txt
ls -l assets/fonts
