#!/usr/bin/env bash
# Draws Keepsake's icons with ImageMagick into icons/ (the PNGs are committed; run this only to
# change them): the app icon (a white shield with a "K" on a rounded blue square) at the sizes
# the Tauri bundler wants, and the tray icons for the three states (idle, backing up, problem).
set -euo pipefail
cd "$(dirname "$0")/../icons"

FONT=DejaVu-Sans-Bold
BLUE='#1f5a96'
SHIELD='M256,70 L404,124 L404,244 C404,346 338,414 256,452 C174,414 108,346 108,244 L108,124 Z'

# The app icon, drawn once at 1024 and scaled down (sharper edges than drawing small).
convert -size 1024x1024 xc:none \
  -fill "$BLUE" -draw 'roundrectangle 40,40 984,984 200,200' \
  -fill white -draw "scale 2,2 path '$SHIELD'" \
  -fill "$BLUE" -font "$FONT" -pointsize 400 -gravity center -annotate +0+10 'K' \
  PNG32:app-1024.png
convert app-1024.png -resize 512x512 -depth 8 PNG32:icon.png
convert app-1024.png -resize 256x256 -depth 8 PNG32:128x128@2x.png
convert app-1024.png -resize 128x128 -depth 8 PNG32:128x128.png
convert app-1024.png -resize 32x32 -depth 8 PNG32:32x32.png
rm app-1024.png

# Tray icons: the shield alone (no square: panels have their own background), outlined so it
# reads on light and dark panels. Idle: blue. Backing up: blue with an amber dot. Problem: red
# with a "!".
tray() { # name fill mark extra-draw
  convert -size 512x512 xc:none \
    -fill "$2" -stroke white -strokewidth 24 -draw "path '$SHIELD'" -stroke none \
    -fill white -font "$FONT" -pointsize 240 -gravity center -annotate +0+6 "$3" \
    ${4:+-draw "$4"} \
    -resize 64x64 -depth 8 "PNG32:tray-$1.png"
}
tray idle "$BLUE" 'K'
tray busy "$BLUE" 'K' "fill '#f5a623' stroke white stroke-width 20 circle 400,400 400,490"
tray problem '#c62828' '!'
