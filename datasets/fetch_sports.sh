#!/usr/bin/env bash
# fetch_sports.sh DEST - get the three-class sports image set the demo uses.
#
# Source: the public "Sports-Type-Classifier" image set (web images in one folder per
# class), GitHub repository jurjsorinliviu/Sports-Type-Classifier, folder data/ (a copy of
# anubhavmaity/Sports-Type-Classifier), commit 44513762e9ebbabeb64b55c5da5401fe57b6d85b.
# Only the reference tutorial's three classes are kept: football (799 files), tennis (718),
# weight_lifting (577). Files are kept as published (some are PNG/GIF/WebP named .jpg, one
# is empty): vidclass-pack copes with that.
set -euo pipefail
dest=${1:?usage: fetch_sports.sh DEST}
repo=https://github.com/jurjsorinliviu/Sports-Type-Classifier.git
commit=44513762e9ebbabeb64b55c5da5401fe57b6d85b
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone --quiet --filter=blob:none --no-checkout "$repo" "$tmp/repo"
git -C "$tmp/repo" sparse-checkout set data/football data/tennis data/weight_lifting
git -C "$tmp/repo" checkout --quiet "$commit"
mkdir -p "$dest"
for c in football tennis weight_lifting; do cp -r "$tmp/repo/data/$c" "$dest/"; done
echo "fetched $(find "$dest" -type f | wc -l) files into $dest"
