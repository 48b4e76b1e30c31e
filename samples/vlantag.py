#!/usr/bin/python3
# Load two tiny eBPF tc programs (BPF_PROG_TYPE_SCHED_CLS, direct-action) and pin
# them in a bpffs directory, so that `tc filter ... bpf da object-pinned PATH` can
# attach them:
#   PIN/push: egress, pushes the given tags with bpf_skb_vlan_push (inner first)
#   PIN/pop:  ingress, pops as many tags with bpf_skb_vlan_pop
# Why: the kernels of the recording machines are built without CONFIG_VLAN_8021Q
# and without bridge VLAN filtering, so `ip link add ... type vlan` fails; the
# kernel's own VLAN helpers still put real 802.1Q / 802.1ad tags on the veth.
# No compiler needed: the instructions are encoded here (x86_64 or aarch64).
#
# usage: vlantag.py PINDIR TPID:VID [TPID:VID ...]   (inner tag first)
#   e.g. vlantag.py /run/x 0x8100:100            802.1Q VLAN 100
#        vlantag.py /run/x 0x8100:100 0x88a8:200 QinQ, outer 802.1ad 200
import ctypes
import os
import platform
import struct
import sys

BPF_PROG_LOAD = 5
BPF_OBJ_PIN = 6
BPF_PROG_TYPE_SCHED_CLS = 3
HELPER_SKB_VLAN_PUSH = 18
HELPER_SKB_VLAN_POP = 19
NR_BPF = {"x86_64": 321, "aarch64": 280}


def insn(code, dst=0, src=0, off=0, imm=0):
	return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


def mov_reg(dst, src):
	return insn(0xBF, dst, src)  # BPF_ALU64 | BPF_MOV | BPF_X


def mov_imm(dst, imm):
	return insn(0xB7, dst, 0, 0, imm)  # BPF_ALU64 | BPF_MOV | BPF_K


def call(helper):
	return insn(0x85, imm=helper)  # BPF_JMP | BPF_CALL


EXIT = insn(0x95)


def prog_push(tags):
	p = mov_reg(6, 1)  # r6 = skb
	for tpid, vid in tags:  # inner first: each push moves the previous tag in-band
		be16 = struct.unpack("<H", struct.pack(">H", tpid))[0]
		p += mov_reg(1, 6) + mov_imm(2, be16) + mov_imm(3, vid) + call(HELPER_SKB_VLAN_PUSH)
	return p + mov_imm(0, 0) + EXIT  # TC_ACT_OK


def prog_pop(count):
	p = mov_reg(6, 1)
	for _ in range(count):
		p += mov_reg(1, 6) + call(HELPER_SKB_VLAN_POP)
	return p + mov_imm(0, 0) + EXIT


def main():
	if len(sys.argv) < 3:
		sys.exit("usage: vlantag.py PINDIR TPID:VID [TPID:VID ...]")
	pindir = sys.argv[1]
	tags = []
	for a in sys.argv[2:]:
		t, v = a.split(":")
		tags.append((int(t, 0), int(v, 0)))
	libc = ctypes.CDLL(None, use_errno=True)
	nr = NR_BPF[platform.machine()]
	lic = ctypes.create_string_buffer(b"GPL")
	log = ctypes.create_string_buffer(65536)

	def bpf(cmd, attr):
		buf = ctypes.create_string_buffer(attr, 128)
		r = libc.syscall(nr, cmd, buf, 128)
		if r < 0:
			e = ctypes.get_errno()
			sys.exit("bpf(%d): %s\n%s" % (cmd, os.strerror(e), log.value.decode(errors="replace")))
		return r

	for name, code in (("push", prog_push(tags)), ("pop", prog_pop(len(tags)))):
		ib = ctypes.create_string_buffer(code, len(code))
		attr = struct.pack("<IIQQIIQII16s", BPF_PROG_TYPE_SCHED_CLS, len(code) // 8,
				   ctypes.addressof(ib), ctypes.addressof(lic), 1, len(log),
				   ctypes.addressof(log), 0, 0, ("sd_vlan_" + name).encode())
		fd = bpf(BPF_PROG_LOAD, attr)
		path = ctypes.create_string_buffer(os.path.join(pindir, name).encode())
		bpf(BPF_OBJ_PIN, struct.pack("<QII", ctypes.addressof(path), fd, 0))
		os.close(fd)


if __name__ == "__main__":
	main()
