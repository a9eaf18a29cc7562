#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Show acrypto in the running kernel: the sysfs tree under
# /sys/kernel/acrypto with every attribute's value, and which
# implementation the crypto API picks for the algorithms dm-crypt and
# IPsec use. Fails when the kernel has no acrypto.

. /tests/testlib

echo "kernel $(uname -r), $(nproc) CPUs"

if [ -d /sys/kernel/acrypto ]; then
	ok "/sys/kernel/acrypto exists"
else
	die "no /sys/kernel/acrypto: kernel built without CONFIG_CRYPTO_ACRYPTO"
fi

echo "--- /sys/kernel/acrypto"
find /sys/kernel/acrypto | sort | while read -r p; do
	if [ -f "$p" ] && [ -r "$p" ]; then
		printf '%s = %s\n' "$p" "$(head -c 200 "$p" 2>/dev/null | tr '\n' ' ')"
	else
		echo "$p/"
	fi
done

echo "--- /proc/crypto: the implementation each consumer gets"
for alg in 'xts(aes)' 'cbc(aes)' 'ecb(aes)' 'ctr(aes)' 'gcm(aes)' 'hmac(sha256)'; do
	# Highest cra_priority among the registered, self-tested entries.
	awk -v want="$alg" '
		/^name/     { name = $3 }
		/^driver/   { drv = $3 }
		/^priority/ { prio = $3 }
		/^selftest/ { st = $3 }
		/^$/        { if (name == want && st == "passed" && prio + 0 > best) { best = prio + 0; bdrv = drv }
			      name = drv = st = ""; prio = 0 }
		END         { if (bdrv != "") printf "%-14s -> %s (priority %d)\n", want, bdrv, best
			      else printf "%-14s -> (not loaded yet)\n", want }
	' /proc/crypto
done
finish
