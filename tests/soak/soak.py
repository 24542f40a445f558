#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Seeded chaos soak, guest side (issue 17). tests/soak/run starts it in
tests/vm/harness/run --systemd --outputs 4; see tests/soak/README.md.

  soak.py --seed N --steps M [--minutes T]

SIMULATION: the three VMs are tests/vm/stand-ins/vgpu-standin processes (fb: sources),
each drawing one colour. Head 0 (Virtual-1) is the host console; vmK is on
head K (Virtual-K+1) in layout A, and vm2 and vm3 trade monitors in layout B.

Each step draws one action from the seed. The model (what each VM's binding
and each monitor's state should be) changes only through the actions, so the
same seed and step count replay the same run. After each step the checks
below must all hold within SETTLE seconds; a failure prints the seed, the
step, the actions so far, the daemon's log tail and a replay line.
"""
import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time

BUILD = os.environ["DF_BUILD"]
VM_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vm", "harness")
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, VM_DIR)
import imgcheck  # noqa: E402
VMCTL = os.path.join(VM_DIR, "vmctl")
STANDIN = os.path.join(BUILD, "tests/vm/vgpu-standin")
INSPECT = os.path.join(BUILD, "tests/vm/lease-inspect")
ASSIGN = os.path.join(BUILD, "cli/vgpu-assign")
SRC = "/run/dfsoak"
LAYOUT = "/etc/directflip/directflip.ini"
SOCK = "/run/directflip/control"
SETTLE = 25          # seconds for the invariants to hold after a step
COLOURS = {"vm1": (0xff, 0x20, 0x20), "vm2": (0x20, 0x60, 0xff), "vm3": (0x20, 0xc0, 0x20)}
VMS = ["vm1", "vm2", "vm3"]
HEADS = [1, 2, 3]
# Growth allowed against the first settled step (a restart reopens files and
# a stand-in restart brings a new framebuffer before the old one goes).
BOUND_FDS = 8
BOUND_FBS = 4
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
    for vm in VMS:
        out.append("[vm.%s]\nmonitor = %s\nmode = 1024x768\nsource.0 = fb:%s/%s/plane0\n"
                   % (vm, mon[vm], SRC, vm))
    if broken:
        out.append("[vm.vm4]\nmonitor = nowhere\nsource.0 = bogus\n")
    return "\n".join(out)


def head_of(monitor):
    return int(monitor[1:])


class Model:
    """What should be: layout variant, heads plugged, VMs unbound at run time."""

    def __init__(self):
        self.variant = "A"
        self.connected = {h: True for h in HEADS}
        self.unbound = set()

    def monitor(self, vm):
        if vm in self.unbound:
            return None
        m = {"vm1": "m1", "vm2": "m2", "vm3": "m3"}[vm]
        if self.variant == "B" and vm in ("vm2", "vm3"):
            m = {"vm2": "m3", "vm3": "m2"}[vm]
        return m

    def shown(self):
        """{head: vm} for every VM that must be on screen."""
        out = {}
        for vm in VMS:
            m = self.monitor(vm)
            if m and self.connected[head_of(m)]:
                out[head_of(m)] = vm
        return out


class Soak:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.model = Model()
        self.actions = []
        self.standins = {}
        self.base = None
        self.held = None
        self.counts = {}

    # ---- the system under test ----
    def pid(self):
        p = sh("systemctl", "show", "-p", "MainPID", "--value", "directflipd").stdout.strip()
        return int(p or 0)

    def start_standin(self, vm):
        d = os.path.join(SRC, vm)
        os.makedirs(d, exist_ok=True)
        try:
            os.unlink(os.path.join(d, "plane0"))
        except FileNotFoundError:
            pass
        c = "%02x%02x%02x" % COLOURS[vm]
        log = open(os.path.join(SRC, vm + ".log"), "a")
        self.standins[vm] = subprocess.Popen([STANDIN, "--dir", d, "--color", c, "--size",
                                              "1024x768"], stdout=log, stderr=log)
        wait(20, lambda: os.path.getsize(os.path.join(d, "plane0")) > 0, "stand-in " + vm)

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
        for vm in VMS:
            self.start_standin(vm)
        os.makedirs(os.path.dirname(LAYOUT), exist_ok=True)
        self.write_layout()
        # The package's postinst: the socket's group (directflipd.socket).
        sh("systemd-sysusers", os.path.join(SOURCE, "systemd/directflip.sysusers"))
        sh("systemctl", "start", "directflipd.socket", "directflipd", timeout=120)
        self.check_settled(0)

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
    def draw(self):
        """One action from the seed; its arguments too. Depends only on the
        random stream and the model, so a replay draws the same."""
        kinds = ["plug", "plug", "unbind", "unbind", "reload", "reload-broken", "segv",
                 "sigkill", "restart", "watchdog-hang", "standin-restart", "standin-restart", "malformed",
                 "idle-clients"]
        kind = self.rng.choice(kinds)
        if kind == "plug":
            return (kind, self.rng.choice(HEADS))
        if kind in ("unbind", "standin-restart"):
            return (kind, self.rng.choice(VMS))
        return (kind, None)

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
            if arg in m.unbound:
                sh(ASSIGN, "unbind", arg, "--reset")
                m.unbound.discard(arg)
                return "unbind %s --reset" % arg
            sh(ASSIGN, "unbind", arg)
            head = head_of(m.monitor(arg)) if m.monitor(arg) else None
            m.unbound.add(arg)
            # No settling here: unbind answers once the lease is revoked and
            # the CRTC switched off (docs/vgpu-assign.md, unbind).
            if head is not None and m.connected[head]:
                fr = self.picture(head)
                if fr[arg] > 0.05:
                    raise Violation("head %d still shows %s (%.2f of it) when unbind has "
                                    "returned: no blanking on revoke" % (head, arg, fr[arg]))
            return "unbind %s" % arg
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
            return "%s the daemon (pid %d)" % (kind, old)
        if kind == "standin-restart":
            p = self.standins[arg]
            p.terminate()
            p.wait(10)
            self.start_standin(arg)
            return "restart %s's VMM stand-in" % arg
        if kind == "malformed":
            n = 0
            for i in range(40):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                try:
                    s.settimeout(2)
                    s.connect(SOCK)
                    junk = self.rng.choice([b"", b"{", b"\x00" * 64, b"[]", b'{"id":-1}',
                                            b'{"id":1,"method":"bind","params":7}',
                                            bytes(self.rng.randrange(256) for _ in range(100))])
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
        raise AssertionError(kind)

    # ---- invariants ----
    def leases(self, pid):
        p = sh(INSPECT, str(pid), check=False)
        if p.returncode != 0:
            raise Violation("lease-inspect %d: %s" % (pid, p.stdout.strip()))
        return json.loads(p.stdout.splitlines()[-1])

    def connector_ids(self):
        out = {}
        for h in HEADS:
            try:
                with open("/sys/class/drm/card0-Virtual-%d/connector_id" % (h + 1)) as f:
                    out[int(f.read())] = h
            except OSError:
                pass
        return out

    def resources(self, pid):
        fds = len(os.listdir("/proc/%d/fd" % pid))
        with open("/proc/%d/status" % pid) as f:
            rss = int([l.split()[1] for l in f if l.startswith("VmRSS:")][0])
        with open("/sys/kernel/debug/dri/0/framebuffer") as f:
            fbs = sum(1 for l in f if l.startswith("framebuffer["))
        return {"fds": fds, "rss_kb": rss, "fbs": fbs}

    def picture(self, head):
        path = os.path.join(SRC, "head%d.ppm" % head)
        sh(VMCTL, "screendump", str(head), path)
        w, h, bpp, pix = imgcheck.load(path)
        hits = {vm: 0 for vm in VMS}
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
        return {vm: hits[vm] / n for vm in VMS}

    def check(self):
        t = time.monotonic()
        p = sh(ASSIGN, "status", check=False, timeout=10)
        if p.returncode != 0 or time.monotonic() - t > 2:
            raise Violation("vgpu-assign status: exit %d after %.1f s: %s" % (
                p.returncode, time.monotonic() - t, p.stdout.strip()[-200:]))
        pid = self.pid()
        want = self.model.shown()
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
            if h in want:
                if fr[want[h]] < 0.85:
                    raise Violation("head %d: %s's colour covers %.2f, want > 0.85" % (
                        h, want[h], fr[want[h]]))
            else:
                lit = {vm: f for vm, f in fr.items() if f > 0.05}
                if lit:
                    raise Violation("head %d should be black or the console, shows %s" % (
                        h, lit))
        return pid

    def check_settled(self, step):
        deadline = time.monotonic() + SETTLE
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

    def fail(self, step, e):
        print("SOAK VIOLATION at step %d of seed %d: %s" % (step, self.a.seed, e))
        print("actions so far:")
        for i, act in enumerate(self.actions, 1):
            print("  %3d %s" % (i, act))
        print("--- daemon log tail ---")
        j = subprocess.run(["journalctl", "-u", "directflipd", "--no-pager", "-n", "40"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print(j.stdout)
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
    a = p.parse_args()
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
        for p in s.standins.values():
            p.kill()


if __name__ == "__main__":
    sys.exit(main())
