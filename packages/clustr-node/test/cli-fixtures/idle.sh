# A foreign (bash) child: its parent announces it; it only waits.
while :; do sleep 5; done
