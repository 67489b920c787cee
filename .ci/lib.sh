#!/usr/bin/env bash
# Shared by .ci/demo and .ci/test: install what hardrun needs from Debian, build it.
# shellcheck disable=SC2034
set -euo pipefail

HR_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HR_JOBS=$(nproc 2>/dev/null || echo 2)

# build + unit/integration test dependencies, all Debian packages
HR_DEPS=(gcc cmake make pkg-config libseccomp-dev libcap-ng-dev libapparmor-dev libjansson-dev
	check libsubunit-dev busybox-static libc6-dev libsystemd-dev)
# extra tools of the full CI run: sanitizers and fuzzing (clang), static checks, man lint,
# runc to prove the CVE tests can fail, the real clients (tests/clients), and
# what builds and boots the VM test host (tests/vm)
HR_CI_DEPS=(clang clang-tools libclang-rt-14-dev cppcheck clang-format mandoc runc
	docker.io containerd podman conmon catatonit bsdutils
	qemu-system-x86 qemu-utils debootstrap e2fsprogs util-linux)

hr_install() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "installing: ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q >/dev/null
		apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
	fi
}

# hr_build DIR [cmake args...]
hr_build() {
	local dir=$1
	shift
	cmake -S "$HR_TOP" -B "$HR_TOP/$dir" -DHR_WERROR=ON "$@" >/dev/null
	cmake --build "$HR_TOP/$dir" -j "$HR_JOBS" >/dev/null
}
