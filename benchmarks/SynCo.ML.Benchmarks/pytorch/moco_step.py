"""The MoCo v2 training step of SynCo.ML, written in plain PyTorch, for the benchmark's reference timing.

Same network (ResNet-18 with the CIFAR small stem, stage widths round(64w, 128w, 256w, 512w), split batch norm,
MLP head F->F->128), same step (EMA of the key encoder, shuffled keys, InfoNCE over [positive | queue] / T,
loss.item(), SGD with momentum and weight decay, ring-buffer enqueue) and the same "bare" cost (query forward +
backward of a trivial loss, key forward without gradient). Prints one JSON line with per-step milliseconds.
Run by SynCo.ML.Benchmarks; standalone: /usr/bin/python3 moco_step.py --threads 2 --batch 64 --size 32
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SplitBatchNorm2d(nn.BatchNorm2d):
    """Per-group batch statistics, folded into channels exactly as SynCo.ML's SplitBatchNorm2d does."""

    def __init__(self, c, k):
        super().__init__(c)
        self.k = k

    def forward(self, x):
        if not self.training or self.k == 1:
            return super().forward(x)
        n, c, h, w = x.shape
        k, m = self.k, n // self.k
        self.num_batches_tracked.add_(1)
        folded = x.view(k, m, c, h, w).transpose(0, 1).reshape(m, k * c, h, w)
        rm, rv = self.running_mean.repeat(k), self.running_var.repeat(k)
        y = F.batch_norm(folded, rm, rv, self.weight.repeat(k), self.bias.repeat(k), True, self.momentum, self.eps)
        with torch.no_grad():
            self.running_mean.copy_(rm.view(k, c).mean(0))
            self.running_var.copy_(rv.view(k, c).mean(0))
        return y.view(m, k, c, h, w).transpose(0, 1).reshape(n, c, h, w)


class BasicBlock(nn.Module):
    def __init__(self, cin, planes, stride, norm):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = norm(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = norm(planes)
        self.downsample = None
        if stride != 1 or cin != planes:
            self.downsample = nn.Sequential(nn.Conv2d(cin, planes, 1, stride, bias=False), norm(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return out.add_(identity).relu_()


class Encoder(nn.Module):
    """ResNet-18, small stem (3x3 stride 1, no max-pool), width-scaled, with MoCo v2's MLP head as fc."""

    def __init__(self, width, splits, dim=128):
        super().__init__()
        widths = [max(1, int(b * width + 0.5)) for b in (64, 128, 256, 512)]
        norm = (lambda c: SplitBatchNorm2d(c, splits)) if splits > 1 else nn.BatchNorm2d
        self.conv1 = nn.Conv2d(3, widths[0], 3, 1, 1, bias=False)
        self.bn1 = norm(widths[0])
        layers, cin = [], widths[0]
        for s, planes in enumerate(widths):
            blocks = []
            for b in range(2):
                blocks.append(BasicBlock(cin, planes, 2 if s > 0 and b == 0 else 1, norm))
                cin = planes
            layers.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.fc = nn.Sequential(nn.Linear(cin, cin), nn.ReLU(), nn.Linear(cin, dim))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--width", type=float, default=0.25)
    ap.add_argument("--queue", type=int, default=4096)
    ap.add_argument("--splits", type=int, default=8)
    ap.add_argument("--steps", type=int, default=9)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--momentum", type=float, default=0.99)
    ap.add_argument("--temperature", type=float, default=0.1)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    fq, fk = Encoder(a.width, a.splits), Encoder(a.width, a.splits)
    for pq, pk in zip(fq.parameters(), fk.parameters()):
        pk.data.copy_(pq.data)
        pk.requires_grad = False
    fq.train(), fk.train()
    opt = torch.optim.SGD(fq.parameters(), lr=0.03 * a.batch / 256, momentum=0.9, weight_decay=5e-4)
    queue = F.normalize(torch.randn(a.queue, 128), dim=1)
    ptr = 0
    v1 = torch.randn(a.batch, 3, a.size, a.size)
    v2 = torch.randn(a.batch, 3, a.size, a.size)
    labels_dtype = torch.long

    def moco_step():
        nonlocal ptr
        with torch.no_grad():
            for pq, pk in zip(fq.parameters(), fk.parameters()):
                pk.mul_(a.momentum).add_(pq.detach(), alpha=1 - a.momentum)
        q = F.normalize(fq(v1), dim=1)
        with torch.no_grad():
            perm = torch.randperm(a.batch)
            k = F.normalize(fk(v2[perm]), dim=1)[perm.argsort()]
        logits = torch.cat([(q * k).sum(1, keepdim=True), q @ queue.t()], dim=1) / a.temperature
        loss = F.cross_entropy(logits, torch.zeros(a.batch, dtype=labels_dtype))
        value = loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            if ptr + a.batch <= a.queue:
                queue[ptr:ptr + a.batch] = k
            else:
                queue.index_copy_(0, (torch.arange(a.batch) + ptr) % a.queue, k)
            ptr = (ptr + a.batch) % a.queue
        return value

    def bare():
        q = fq(v1)
        with torch.no_grad():
            fk(v2)
        q.square().sum().backward()

    def timed(f):
        t = time.perf_counter()
        r = f()
        return (time.perf_counter() - t) * 1000, r

    for _ in range(a.warmup):
        moco_step()
        bare()
    moco_ms, bare_ms, loss = [], [], float("nan")
    for i in range(a.steps):
        for name in (("moco", "bare") if i % 2 == 0 else ("bare", "moco")):
            if name == "moco":
                ms, loss = timed(moco_step)
                moco_ms.append(ms)
            else:
                bare_ms.append(timed(bare)[0])
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(),
                      "moco_ms": moco_ms, "bare_ms": bare_ms, "loss": loss}))


if __name__ == "__main__":
    main()
