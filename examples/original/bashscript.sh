#!/usr/bin/env bash
# A worker that is not a Node program: it speaks clustr by writing one JSON line to the IPC fd
# its parent opened for it ($NODE_CHANNEL_FD). Garbage on that fd would be reported, not fatal.
frame='{"clustr":1,"channel":"master","meta":{"workerId":"'"$CLUSTR_WORKER_ID"'","group":"bash"},"data":"hello from bash"}'
echo "$frame" >&"$NODE_CHANNEL_FD"
