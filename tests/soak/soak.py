#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Seeded chaos soak, guest side (issue 17). tests/soak/run starts it in
tests/vm/harness/run --systemd --outputs 4; see tests/soak/README.md.

  soak.py --seed N --steps M [--minutes T]

SIMULATION: vm1 to vm3 are tests/vm/stand-ins/vgpu-standin processes (fb: sources),
each drawing one colour; the relay VM's source is `client`, fed by
tests/vm/tools/dmabuf-client (a VMM relaying dma-bufs); the lessee VM has no source
and its VMM is tests/vm/tools/lessee-demo, started by `vgpu-assign exec lessee`,
which flips its own frames on the lease. Head 0 (Virtual-1) is the host
console; vmK is on head K (Virtual-K+1) in layout A, and vm2 and vm3 trade
monitors in layout B. Head 4 (monitor m4) is in no VM's layout: only
`vgpu-assign bind` puts a VM there. Head 5 is the lessee's.

Each step draws one action from the seed. The model (what each VM's binding
and each monitor's state should be) changes only through the actions, so the
same seed and step count replay the same run. After each step the checks
below must all hold within SETTLE seconds; a failure prints the seed, the
step, the actions so far, the daemon's log tail and a replay line.
"""
import argparse
import glob
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time

BUILD = os.environ.get("DF_BUILD", "build")
VM_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vm", "harness")
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, VM_DIR)
import imgcheck  # noqa: E402
VMCTL = os.path.join(VM_DIR, "vmctl")
STANDIN = os.path.join(BUILD, "tests/vm/vgpu-standin")
INSPECT = os.path.join(BUILD, "tests/vm/lease-inspect")
CLIENT = os.path.join(BUILD, "tests/vm/dmabuf-client")
DEMO = os.path.join(BUILD, "tests/vm/lessee-demo")
ASSIGN = os.path.join(BUILD, "cli/vgpu-assign")
SRC = "/run/dfsoak"
LAYOUT = "/etc/directflip/directflip.ini"
SOCK = "/run/directflip/control"
SETTLE = 25          # seconds for the invariants to hold after a step
# The lessee's green is lessee-demo's (20c040).
COLOURS = {"vm1": (0xff, 0x20, 0x20), "vm2": (0x20, 0x60, 0xff), "vm3": (0x20, 0xc0, 0x20),
           "relay": (0xe0, 0xe0, 0x20), "lessee": (0x20, 0xc0, 0x40)}
FB_VMS = ["vm1", "vm2", "vm3"]           # fb: stand-ins
VMS = FB_VMS + ["relay", "lessee"]
HEADS = [1, 2, 3, 4, 5]                  # head N is monitor mN, connector Virtual-N+1
PLUGGABLE = [1, 2, 3, 4]                 # head 5 stays: the lessee's lease fd is its VMM's
BIND_TARGET = "m4"
LESSEE_PERIOD_MS = 100                   # lessee-demo's flips: 10 a second
RELAY_FPS = 20
# Growth allowed against the first settled step (a restart reopens files and
# a stand-in restart brings a new framebuffer before the old one goes).
BOUND_FDS = 8
BOUND_FBS = 6
BOUND_RSS_KB = 8 * 1024


class Violation(Exception):
    pass


def sh(*args, timeout=60, check=True):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=timeout)
    if check and p.returncode != 0:
        raise Violation("%s: exit %d: %s" % (" ".join(args), p.returncode, p.stdout.strip()[-300:]))
    return p


def layout_text(variant, broken=False):
    mon = {"vm1": "m1", "vm2": "m2", "vm3": "m3"}
    if variant == "B":
        mon["vm2"], mon["vm3"] = "m3", "m2"
    out = []
    for h in HEADS:
        out.append("[monitor.m%d]\nconnector = Virtual-%d\n" % (h, h + 1))
    for vm in FB_VMS:
        out.append("[vm.%s]\nmonitor = %s\nmode = 1024x768\nsource.0 = fb:%s/%s/plane0\n"
                   % (vm, mon[vm], SRC, vm))
    # No monitor: only `vgpu-assign bind` shows it.
    out.append("[vm.relay]\nsource.0 = client\n")
    # No source: its VMM (lessee-demo) draws on the lease itself.
    out.append("[vm.lessee]\nmonitor = m5\n")
    if broken:
        out.append("[vm.vm4]\nmonitor = nowhere\nsource.0 = bogus\n")
    return "\n".join(out)


def head_of(monitor):
    return int(monitor[1:])


class Model:
    """What should be: the layout variant, the heads plugged, what
    `vgpu-assign bind/unbind/map` changed (runtime: VM -> monitor, or None
    for unbound; mapped: VM -> the fb VM whose source it shows), and
    whether the relay's client and the lessee's VMM run."""

    def __init__(self):
        self.variant = "A"
        self.connected = {h: True for h in HEADS}
        self.runtime = {}
        self.mapped = {}
        self.relay_alive = True
        self.lessee_alive = True

    def layout_monitor(self, vm):
        if vm == "relay":
            return None
        if vm == "lessee":
            return "m5"
        m = {"vm1": "m1", "vm2": "m2", "vm3": "m3"}[vm]
        if self.variant == "B" and vm in ("vm2", "vm3"):
            m = {"vm2": "m3", "vm3": "m2"}[vm]
        return m

    def monitor(self, vm):
        if vm in self.runtime:
            return self.runtime[vm]
        return self.layout_monitor(vm)

    def holder(self, monitor):
        """The VM bound to monitor, or None."""
        for vm in VMS:
            if self.monitor(vm) == monitor:
                return vm
        return None

    def leased(self):
        """{head: vm} for every VM that must hold a lease."""
        out = {}
        for vm in VMS:
            m = self.monitor(vm)
            if m and self.connected[head_of(m)]:
                out[head_of(m)] = vm
        return out

    def colour(self, vm):
        """The colour vm's monitor shows when leased, or None (black)."""
        if vm in FB_VMS:
            return self.mapped.get(vm, vm)
        if vm == "relay":
            # docs/protocol.md (scanout-dmabuf): when the client's connection
            # closes "the monitor is black, never a stale frame".
            return "relay" if self.relay_alive else None
        return "lessee" if self.lessee_alive else None

    def shown(self):
        """{head: colour key} for every head that must show a picture."""
        out = {}
        for h, vm in self.leased().items():
            c = self.colour(vm)
            if c:
                out[h] = c
        return out


class Soak:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.model = Model()
        self.actions = []
        self.standins = {}
        self.relay = None
        self.lessee = None
        self.base = None
        self.held = None
        self.lessee_before = None
        self.counts = {}

    # ---- the system under test ----
    def pid(self):
        p = sh("systemctl", "show", "-p", "MainPID", "--value", "directflipd").stdout.strip()
        return int(p or 0)

    def card(self):
        """The card's number now: a removal and rescan may bring it back as
        another cardN while the old minor is still held."""
        conns = glob.glob("/sys/class/drm/card*-Virtual-1")
        if not conns:
            raise Violation("no card with a Virtual-1 connector")
        return int(os.path.basename(conns[0]).split("-")[0][4:])

    def start_standin(self, vm):
        d = os.path.join(SRC, vm)
        os.makedirs(d, exist_ok=True)
        try:
            os.unlink(os.path.join(d, "plane0"))
        except FileNotFoundError:
            pass
        c = "%02x%02x%02x" % COLOURS[vm]
        log = open(os.path.join(SRC, vm + ".log"), "a")
        self.standins[vm] = subprocess.Popen(
            [STANDIN, "--dir", d, "--color", c, "--size", "1024x768",
             "--card", "/dev/dri/card%d" % self.card()], stdout=log, stderr=log)
        log.close()
        wait(20, lambda: os.path.getsize(os.path.join(d, "plane0")) > 0, "stand-in " + vm)

    def start_relay(self):
        """The relay VM's VMM: frames pushed over the control socket, RELAY_FPS
        update-dmabuf calls a second, until killed (or the daemon goes)."""
        path = os.path.join(SRC, "relay.log")
        log = open(path, "w")
        c = "%02x%02x%02x" % COLOURS["relay"]
        self.relay = subprocess.Popen(
            [CLIENT, "--vm", "relay", "--color", c, "--size", "1024x768", "--buffers", "2",
             "--updates", "1000000", "--fps", str(RELAY_FPS),
             "--card", "/dev/dri/card%d" % self.card()], stdout=log, stderr=log)
        log.close()
        # Both buffers sent: the updates run.
        wait(30, lambda: open(path).read().count("fb=") >= 2 or self.relay.poll() is not None,
             "the relay client's buffers")
        if self.relay.poll() is not None:
            raise Violation("the relay client exited (%d): %s" % (
                self.relay.returncode, open(path).read().strip()[-300:]))

    def stop_relay(self, sig=signal.SIGTERM):
        if self.relay and self.relay.poll() is None:
            self.relay.send_signal(sig)
            self.relay.wait(10)
        self.relay = None

    def start_lessee(self):
        """The lessee: `vgpu-assign exec lessee -- lessee-demo`, a VMM that
        holds the lease fd and flips its own frames on it."""
        path = os.path.join(SRC, "lessee.log")
        log = open(path, "w")
        self.lessee = subprocess.Popen(
            [ASSIGN, "exec", "lessee", "--", DEMO, "--period", str(LESSEE_PERIOD_MS)],
            stdout=log, stderr=log)
        log.close()
        wait(30, lambda: "frame 1" in open(path).read() or self.lessee.poll() is not None,
             "the lessee's first frame")
        if self.lessee.poll() is not None:
            raise Violation("the lessee exited (%d): %s" % (
                self.lessee.returncode, open(path).read().strip()[-300:]))

    def lessee_frames(self):
        """lessee-demo's frame count (SIGUSR1 makes it print it)."""
        path = os.path.join(SRC, "lessee.log")
        n = open(path).read().count("frames so far")
        self.lessee.send_signal(signal.SIGUSR1)
        wait(10, lambda: open(path).read().count("frames so far") > n, "the lessee's count")
        last = [l for l in open(path) if "frames so far" in l][-1]
        return int(last.split()[1])

    def write_layout(self, broken=False):
        with open(LAYOUT + ".new", "w") as f:
            f.write(layout_text(self.model.variant, broken))
        os.rename(LAYOUT + ".new", LAYOUT)

    def setup(self):
        sh("meson", "install", "-C", BUILD, "--no-rebuild", "--quiet", timeout=300)
        # The test hook of a wedged main loop (SIGUSR2), for the watchdog-hang
        # action; WatchdogSec=5 so that the watchdog acts within a step.
        drop = "/run/systemd/system/directflipd.service.d"
        os.makedirs(drop, exist_ok=True)
        with open(os.path.join(drop, "soak.conf"), "w") as f:
            f.write("[Service]\nEnvironment=DIRECTFLIP_DEBUG_HANG=1\nWatchdogSec=5\n")
        sh("systemctl", "daemon-reload")
        for h in HEADS:
            sh(VMCTL, "plug", str(h), "1024", "768")
        for vm in FB_VMS:
            self.start_standin(vm)
        os.makedirs(os.path.dirname(LAYOUT), exist_ok=True)
        self.write_layout()
        # The package's postinst: the socket's group (directflipd.socket).
        sh("systemd-sysusers", os.path.join(SOURCE, "systemd/directflip.sysusers"))
        sh("systemctl", "start", "directflipd.socket", "directflipd", timeout=120)
        wait(30, lambda: os.path.exists(SOCK) and sh(ASSIGN, "status", check=False).returncode == 0,
             "the control socket")
        # The relay VM starts on the spare monitor, bound at run time.
        sh(ASSIGN, "bind", "relay", BIND_TARGET)
        self.model.runtime["relay"] = BIND_TARGET
        self.start_relay()
        wait(30, lambda: self.lease_count() == 5, "five leases")
        self.start_lessee()
        self.check_settled(0)

    def lease_count(self):
        return len(self.leases(self.pid())["lessees"])

    def hold(self):
        """A VMM stand-in that takes every lease fd now and keeps it
        (lease-inspect --hold), until check_held."""
        fifo = os.path.join(SRC, "hold")
        if not os.path.exists(fifo):
            os.mkfifo(fifo)
        path = os.path.join(SRC, "held.json")
        out = open(path, "w")
        proc = subprocess.Popen([INSPECT, str(self.pid()), "--hold", fifo], stdout=out)
        out.close()
        wait(10, lambda: os.path.getsize(path) > 0, "the lease holder")
        self.held = (proc, fifo, path)

    # ---- actions ----
    KINDS = ["plug", "plug", "unbind", "unbind", "bind", "map", "reload", "reload-broken",
             "segv", "sigkill", "restart", "watchdog-hang", "standin-restart",
             "standin-restart", "relay-die", "malformed", "idle-clients", "seat-switch",
             "card-removal"]

    def draw(self):
        """One action from the seed; its arguments too. Depends only on the
        random stream, so a replay draws the same."""
        kind = self.rng.choice(self.KINDS)
        if kind == "plug":
            return (kind, self.rng.choice(PLUGGABLE))
        if kind in ("unbind", "bind"):
            return (kind, self.rng.choice(FB_VMS + ["relay"]))
        if kind == "standin-restart":
            return (kind, self.rng.choice(FB_VMS))
        if kind == "map":
            return (kind, (self.rng.choice(FB_VMS), self.rng.choice(FB_VMS)))
        if kind == "relay-die":
            # How long the client runs before the SIGKILL: somewhere within
            # its frames, not at a frame's edge.
            return (kind, self.rng.uniform(0.1, 1.5))
        if kind == "malformed":
            junk = []
            for i in range(40):
                j = self.rng.choice([b"", b"{", b"\x00" * 64, b"[]", b'{"id":-1}',
                                     b'{"id":1,"method":"bind","params":7}', None])
                junk.append(j if j is not None else
                            bytes(self.rng.randrange(256) for _ in range(100)))
            return (kind, junk)
        return (kind, None)

    def restart_vmms(self, relay, lessee):
        """After the daemon came back: a VMM reconnects, as QEMU would."""
        if relay and self.model.relay_alive:
            if self.relay:
                try:
                    self.relay.wait(15)
                except subprocess.TimeoutExpired:
                    pass
            self.stop_relay()
            self.start_relay()

    def act(self, kind, arg):
        m = self.model
        if kind == "plug":
            if m.connected[arg]:
                sh(VMCTL, "unplug", str(arg))
            else:
                sh(VMCTL, "plug", str(arg), "1024", "768")
            m.connected[arg] = not m.connected[arg]
            return "%s head %d" % ("plug" if m.connected[arg] else "unplug", arg)
        if kind == "unbind":
            if arg in m.runtime and m.runtime[arg] is None:
                sh(ASSIGN, "unbind", arg, "--reset")
                del m.runtime[arg]
                m.mapped.pop(arg, None)
                return "unbind %s --reset" % arg
            was = m.shown()
            head = head_of(m.monitor(arg)) if m.monitor(arg) else None
            sh(ASSIGN, "unbind", arg)
            m.runtime[arg] = None
            # No settling here: unbind answers once the lease is revoked and
            # the CRTC switched off (docs/vgpu-assign.md, unbind).
            if head in was:
                fr = self.picture(head)
                if fr[was[head]] > 0.05:
                    raise Violation("head %d still shows %s (%.2f of it) when unbind has "
                                    "returned: no blanking on revoke" % (head, was[head],
                                                                         fr[was[head]]))
            return "unbind %s" % arg
        if kind == "bind":
            other = m.holder(BIND_TARGET)
            p = sh(ASSIGN, "bind", arg, BIND_TARGET, check=False)
            if other not in (None, arg):
                # vgpu-assign(1), bind: "A monitor bound to another VM is
                # refused: unbind that VM first." Exit 6 is EBUSY.
                if p.returncode != 6:
                    raise Violation("bind %s %s while %s holds it: exit %d, want 6 (EBUSY): %s"
                                    % (arg, BIND_TARGET, other, p.returncode, p.stdout.strip()))
                return "bind %s %s (refused: %s has it)" % (arg, BIND_TARGET, other)
            if p.returncode != 0:
                raise Violation("bind %s %s: exit %d: %s" % (arg, BIND_TARGET, p.returncode,
                                                             p.stdout.strip()))
            m.runtime[arg] = BIND_TARGET
            return "bind %s %s" % (arg, BIND_TARGET)
        if kind == "map":
            vm, src = arg
            sh(ASSIGN, "map", vm, "0", "fb:%s/%s/plane0" % (SRC, src))
            m.mapped[vm] = src
            return "map %s 0 to %s's framebuffer" % (vm, src)
        if kind == "reload":
            m.variant = "B" if m.variant == "A" else "A"
            self.write_layout()
            sh(ASSIGN, "reload")
            return "reload to layout %s" % m.variant
        if kind == "reload-broken":
            self.write_layout(broken=True)
            p = sh(ASSIGN, "reload", check=False)
            self.write_layout()
            if p.returncode == 0:
                raise Violation("a broken layout was accepted: " + p.stdout.strip())
            return "reload a broken layout (refused)"
        if kind in ("segv", "sigkill", "restart", "watchdog-hang"):
            self.hold()
            self.lessee_before = self.lessee_frames() if m.lessee_alive else None
            old = self.pid()
            if kind == "restart":
                sh("systemctl", "restart", "--no-block", "directflipd")
            elif kind == "watchdog-hang":
                os.kill(old, signal.SIGUSR2)
            else:
                os.kill(old, signal.SIGSEGV if kind == "segv" else signal.SIGKILL)
            wait(60, lambda: self.pid() not in (0, old) and sh(
                "systemctl", "is-active", "directflipd", check=False).stdout.strip() == "active",
                "the daemon back after " + kind)
            # The relay's connection went with the old daemon.
            self.restart_vmms(relay=True, lessee=False)
            return "%s the daemon (pid %d)" % (kind, old)
        if kind == "standin-restart":
            p = self.standins[arg]
            p.terminate()
            p.wait(10)
            self.start_standin(arg)
            return "restart %s's VMM stand-in" % arg
        if kind == "relay-die":
            if not m.relay_alive:
                self.start_relay()
                m.relay_alive = True
                return "start a new relay client"
            time.sleep(arg)
            self.stop_relay(signal.SIGKILL)
            m.relay_alive = False
            return "SIGKILL the relay client after %.2f s of frames" % arg
        if kind == "malformed":
            n = 0
            for junk in arg:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                try:
                    s.settimeout(2)
                    s.connect(SOCK)
                    s.send(junk or b" ")
                    n += 1
                except OSError:
                    pass
                finally:
                    s.close()
            return "%d malformed requests" % n
        if kind == "idle-clients":
            socks, refused = [], 0
            for i in range(100):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                try:
                    s.connect(SOCK)
                    socks.append(s)
                except OSError:
                    refused += 1
                    s.close()
            time.sleep(1)
            for s in socks:
                s.close()
            return "100 idle clients (connect: %d succeeded, %d refused), then closed" % (
                len(socks), refused)
        if kind == "seat-switch":
            return self.seat_switch()
        if kind == "card-removal":
            return self.card_removal()
        raise AssertionError(kind)

    def seat_switch(self):
        """chvt 2, check, chvt 1. The unit runs with LIBSEAT_BACKEND=noop
        (systemd/directflipd.service): docs/seat.md, "With
        LIBSEAT_BACKEND=noop (the service default) there is no seat manager
        and the seat is never disabled", so the model changes nothing, away
        or back: every lease stays and every picture stays (the console on
        tty2 does not take a CRTC from a DRM master, drm_fb_helper_set_par)."""
        def active():
            with open("/sys/class/tty/tty0/active") as f:
                return f.read().strip()
        start = active()
        sh("busybox", "chvt", "2")
        wait(10, lambda: active() == "tty2", "the switch to tty2")
        try:
            self.check_settled(-1, settle=5)
        finally:
            sh("busybox", "chvt", start[3:])
        wait(10, lambda: active() == start, "the switch back to " + start)
        return "seat switch to tty2 and back to %s (noop seat: nothing changes)" % start
    def journal_count(self, pattern):
        p = sh("journalctl", "-u", "directflipd", "--no-pager", "-o", "cat", check=False)
        return sum(1 for l in p.stdout.splitlines() if pattern in l)

    def card_removal(self):
        """The card goes (PCI remove) and comes back (PCI rescan), as
        tests/vm/scenarios/scenario-card-removal.sh does. The VMMs' buffers die with the
        card, so they stop first and start again on the new card, as a
        vGPU's VMM would; the lessee gets a new lease. The bindings do not
        change (docs/service.md)."""
        m = self.model
        n = self.card()
        dev = os.path.realpath("/sys/class/drm/card%d/device" % n)
        pid = self.pid()
        for p in self.standins.values():
            p.terminate()
            p.wait(10)
        self.stop_relay()
        if self.lessee and self.lessee.poll() is None:
            self.lessee.terminate()
            self.lessee.wait(10)
        removed = self.journal_count("card%d removed" % n)
        with open(os.path.join(dev, "remove"), "w") as f:
            f.write("1")
        wait(30, lambda: self.journal_count("card%d removed" % n) > removed,
             "the daemon to see card%d go" % n)
        if self.pid() != pid:
            raise Violation("the daemon (pid %d) did not survive the card's removal (now %d)"
                            % (pid, self.pid()))
        # Nobody may keep the dead card open, the fd store included: the
        # kernel names connectors from one pool per type, and a card that
        # comes back while the old one is held gets Virtual-7... instead of
        # Virtual-1... (which the layout names).
        def holders():
            out = []
            for p in glob.glob("/proc/[0-9]*/fd/*"):
                try:
                    if os.readlink(p).startswith("/dev/dri/card%d" % n):
                        out.append(p.split("/")[2])
                except OSError:
                    pass
            return sorted(set(out))
        try:
            wait(10, lambda: not holders(), "")
        except Violation:
            raise Violation("the removed card%d is still open in pids %s (1 is systemd's fd "
                            "store)" % (n, holders()))
        with open("/sys/bus/pci/rescan", "w") as f:
            f.write("1")
        wait(60, lambda: glob.glob("/sys/class/drm/card*-Virtual-%d" % (HEADS[-1] + 1)),
             "the card's connectors after the rescan")
        sh("udevadm", "settle", check=False)
        for vm in FB_VMS:
            self.start_standin(vm)
        for h in HEADS:
            if m.connected[h]:
                sh(VMCTL, "plug", str(h), "1024", "768")
        wait(60, lambda: self.lease_count() == len(m.leased()), "the leases on the new card")
        if m.relay_alive:
            self.start_relay()
        self.start_lessee()
        return "card%d removed and rescanned (now card%d)" % (n, self.card())

    # ---- invariants ----
    def leases(self, pid):
        p = sh(INSPECT, str(pid), check=False)
        if p.returncode != 0:
            raise Violation("lease-inspect %d: %s" % (pid, p.stdout.strip()))
        return json.loads(p.stdout.splitlines()[-1])

    def connector_ids(self):
        out = {}
        n = self.card()
        for h in HEADS:
            try:
                with open("/sys/class/drm/card%d-Virtual-%d/connector_id" % (n, h + 1)) as f:
                    out[int(f.read())] = h
            except OSError:
                pass
        return out

    def resources(self, pid):
        fds = len(os.listdir("/proc/%d/fd" % pid))
        with open("/proc/%d/status" % pid) as f:
            rss = int([l.split()[1] for l in f if l.startswith("VmRSS:")][0])
        with open("/sys/kernel/debug/dri/%d/framebuffer" % self.card()) as f:
            fbs = sum(1 for l in f if l.startswith("framebuffer["))
        return {"fds": fds, "rss_kb": rss, "fbs": fbs}

    def picture(self, head):
        path = os.path.join(SRC, "head%d.ppm" % head)
        sh(VMCTL, "screendump", str(head), path)
        w, h, bpp, pix = imgcheck.load(path)
        hits = {vm: 0 for vm in COLOURS}
        n = 0
        # A 12x8 grid: few pixels, cheap under emulation.
        for gy in range(8):
            for gx in range(12):
                x, y = (gx * 2 + 1) * w // 24, (gy * 2 + 1) * h // 16
                o = (y * w + x) * bpp
                n += 1
                for vm, c in COLOURS.items():
                    if all(abs(pix[o + i] - c[i]) <= 8 for i in range(3)):
                        hits[vm] += 1
        return {vm: hits[vm] / n for vm in COLOURS}

    def check(self):
        t = time.monotonic()
        p = sh(ASSIGN, "status", check=False, timeout=10)
        if p.returncode != 0 or time.monotonic() - t > 2:
            raise Violation("vgpu-assign status: exit %d after %.1f s: %s" % (
                p.returncode, time.monotonic() - t, p.stdout.strip()[-200:]))
        pid = self.pid()
        m = self.model
        for name, proc, alive in (("relay client", self.relay, m.relay_alive),
                                  ("lessee", self.lessee, m.lessee_alive)):
            if alive and (proc is None or proc.poll() is not None):
                log = open(os.path.join(SRC, name.split()[0] + ".log")).read().strip()
                raise Violation("the %s exited (%s): %s" % (
                    name, proc.returncode if proc else "not started", log[-300:]))
        want = m.leased()
        shown = m.shown()
        doc = self.leases(pid)
        if len(doc["lessees"]) != len(want):
            raise Violation("%d lessees, the model wants %d (%s)" % (
                len(doc["lessees"]), len(want), sorted(want.values())))
        ids = self.connector_ids()
        seen = set()
        leased_heads = set()
        for lease in doc["leases"]:
            objs = set(("crtc", x) for x in lease["crtcs"]) | \
                set(("conn", x) for x in lease["connectors"]) | \
                set(("plane", x) for x in lease["planes"])
            if objs & seen:
                raise Violation("two lessees share objects: %s" % sorted(objs & seen))
            seen |= objs
            if len(lease["connectors"]) != 1:
                raise Violation("a lessee holds connectors %s" % lease["connectors"])
            leased_heads.add(ids.get(lease["connectors"][0], -1))
        if ids and leased_heads != set(want):
            raise Violation("leased heads %s, the model wants %s" % (
                sorted(leased_heads), sorted(want)))
        for h in HEADS:
            if not self.model.connected[h]:
                continue
            fr = self.picture(h)
            if h in shown:
                if fr[shown[h]] < 0.85:
                    raise Violation("head %d (%s): %s's colour covers %.2f, want > 0.85" % (
                        h, want[h], shown[h], fr[shown[h]]))
            else:
                lit = {vm: f for vm, f in fr.items() if f > 0.05}
                if lit:
                    raise Violation("head %d should be black or the console, shows %s" % (
                        h, lit))
        return pid

    def check_settled(self, step, settle=SETTLE):
        deadline = time.monotonic() + settle
        while True:
            try:
                pid = self.check()
                break
            except (Violation, subprocess.TimeoutExpired, OSError, ValueError) as e:
                if time.monotonic() > deadline:
                    raise Violation(str(e))
                time.sleep(1)
        res = self.resources(pid)
        if self.base is None and step >= 1:
            self.base = res
        elif self.base is not None:
            grow = {k: res[k] - self.base[k] for k in res}
            bounds = {"fds": BOUND_FDS, "fbs": BOUND_FBS, "rss_kb": BOUND_RSS_KB}
            if os.environ.get("DF_SANITIZE", "none") != "none":
                del bounds["rss_kb"]  # ASan's quarantine holds freed memory on purpose
            over = {k: grow[k] for k in bounds if grow[k] > bounds[k]}
            if over:
                raise Violation("growth since step 1 beyond the bound: %s (now %s, then %s)"
                                % (over, res, self.base))
        return res

    def check_held(self):
        """The lease fds taken before a daemon restart still reach their
        CRTCs after it (the model has no revocation in a restart)."""
        proc, fifo, path = self.held
        self.held = None
        with open(fifo, "w") as f:
            f.write("go\n")
        proc.wait(20)
        docs = [json.loads(l) for l in open(path) if l.strip()]
        if len(docs) != 2 or proc.returncode != 0:
            raise Violation("the lease holder failed: %s" % docs)
        crtcs = lambda d: sorted(l["crtcs"][0] for l in d["leases"] if l["crtcs"])
        if crtcs(docs[0]) != crtcs(docs[1]):
            raise Violation("held lease fds lost their CRTCs: %s then %s" % (
                crtcs(docs[0]), crtcs(docs[1])))
        # The lessee's own lease fd, held since before the restart, still
        # commits: lessee-demo exits at the first failed flip, and its count
        # has grown.
        if self.lessee_before is not None:
            after = self.lessee_frames()
            if after <= self.lessee_before:
                raise Violation("the lessee flipped no frame since the restart (%d then %d)"
                                % (self.lessee_before, after))

    def dump_context(self):
        """What a timing failure needs to be told from a daemon bug: the
        kernel's log, the VMMs' own words, and who sleeps in the kernel."""
        print("--- kernel log tail ---")
        k = subprocess.run(["journalctl", "-k", "--no-pager", "-n", "25"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print(k.stdout)
        for path in sorted(glob.glob(os.path.join(SRC, "*.log"))):
            try:
                with open(path, errors="replace") as f:
                    tail = f.readlines()[-4:]
            except OSError:
                continue
            print("--- %s (tail) ---" % os.path.basename(path))
            print("".join(tail), end="")
        print("--- processes in uninterruptible sleep (D) ---")
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(stat) as f:
                    fields = f.read().rsplit(")", 1)
                if fields[1].split()[0] != "D":
                    continue
                d = os.path.dirname(stat)
                with open(os.path.join(d, "stack")) as f:
                    print("%s (%s):\n%s" % (os.path.basename(d), fields[0].split("(", 1)[1],
                                            f.read()), end="")
            except (OSError, IndexError):
                pass
        sys.stdout.flush()

    def fail(self, step, e):
        print("SOAK VIOLATION at step %d of seed %d: %s" % (step, self.a.seed, e))
        print("actions so far:")
        for i, act in enumerate(self.actions, 1):
            print("  %3d %s" % (i, act))
        print("--- daemon log tail ---")
        j = subprocess.run(["journalctl", "-u", "directflipd", "--no-pager", "-n", "40"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print(j.stdout)
        self.dump_context()
        print("replay: DF_BUILD=%s tests/soak/run --seed %d --steps %d" % (
            BUILD, self.a.seed, step))
        sys.stdout.flush()
        return 1

    def run(self):
        self.setup()
        print("soak: seed %d, settled at start" % self.a.seed, flush=True)
        t_end = time.monotonic() + 60 * self.a.minutes if self.a.minutes else None
        step = 0
        while step < self.a.steps and (t_end is None or time.monotonic() < t_end):
            step += 1
            kind, arg = self.draw()
            try:
                t0 = time.monotonic()
                what = self.act(kind, arg)
                self.actions.append(what)
                res = self.check_settled(step)
                if self.held:
                    self.check_held()
            except (Violation, subprocess.TimeoutExpired, OSError, ValueError) as e:
                if len(self.actions) < step:
                    self.actions.append("%s %s (failed)" % (kind, arg or ""))
                return self.fail(step, e)
            self.counts[kind] = self.counts.get(kind, 0) + 1
            print("step %d: %s; ok in %.1f s (fds %d, fbs %d, rss %d KiB)" % (
                step, what, time.monotonic() - t0, res["fds"], res["fbs"], res["rss_kb"]),
                flush=True)
        print("soak: seed %d: %d steps passed; actions per kind: %s" % (
            self.a.seed, step, " ".join("%s=%d" % kv for kv in sorted(self.counts.items()))))
        print("PASS soak")
        return 0


def wait(seconds, pred, what):
    deadline = time.monotonic() + seconds
    while True:
        try:
            if pred():
                return
        except (OSError, Violation):
            pass
        if time.monotonic() > deadline:
            raise Violation("timed out waiting for " + what)
        time.sleep(0.2)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--minutes", type=float, default=0)
    p.add_argument("--list", action="store_true",
                   help="print the actions the seed draws, without a VM")
    a = p.parse_args()
    if a.list:
        s = Soak(a)
        for i in range(1, a.steps + 1):
            kind, arg = s.draw()
            print("%3d %s %s" % (i, kind, "" if arg is None else
                                 "(40 packets)" if kind == "malformed" else arg))
        return 0
    if os.environ.get("DF_VM_MODE") != "systemd":
        print("soak.py: run me through tests/soak/run", file=sys.stderr)
        return 2
    subprocess.run(["mount", "-t", "debugfs", "none", "/sys/kernel/debug"],
                   stderr=subprocess.DEVNULL)
    os.makedirs(SRC, exist_ok=True)
    s = Soak(a)
    try:
        return s.run()
    except Violation as e:
        return s.fail(0, "setup: %s" % e)
    finally:
        for p in list(s.standins.values()) + [s.relay, s.lessee]:
            if p:
                p.kill()


if __name__ == "__main__":
    sys.exit(main())
