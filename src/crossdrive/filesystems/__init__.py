"""File systems through The Sleuth Kit: every entry, allocated, deleted and orphan."""

import os
import time

# TSK converts FAT's local-time stamps with the process time zone. Fix it to UTC so a result does
# not depend on the examiner's machine; the device's real zone is applied later, when known.
os.environ["TZ"] = "UTC"
time.tzset()
