"""The training loop of section 4.2: D then G updated once per iteration with Adam, on 1..K processes.

`train(options)` runs in each process torchrun starts (or alone). Every process holds the whole model
(DistributedDataParallel averages the gradients) and a 1/K share of the global batch; rank 0 alone writes
the log, TensorBoard and checkpoints.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset
from tqdm import tqdm

from linetint.model.checkpoint import Checkpoint, CheckpointError, load_checkpoint
from linetint.model.config import ModelConfig
from linetint.model.devices import cpu_has_fast_bf16
from linetint.model.discriminator import MultiscaleDiscriminator
from linetint.model.networks import build_generator

from .checkpointing import (
    INIT_STEPS,
    TrainState,
    latest_path,
    load_run,
    restore,
    restore_rng,
    save_run,
    saved_options,
    steps_behind,
)
from .distributed import DistEnv, all_mean, barrier, setup, teardown
from .ema import WeightAverage
from .losses import PerceptualLoss, discriminator_objective, generator_objective
from .options import SYNTHETIC, OptionsError, TrainOptions
from .runlog import RunLog
from .sampling import ResumableSampler
from .vgg_weights import RANDOM_VGG_LABEL, load_vgg_weights, perceptual_vgg

LOSS_NAMES = ("d_real", "d_fake", "g_gan", "g_fm", "g_perc", "g_total")


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the message names the step and the checkpoint that was kept."""


@dataclass(frozen=True)
class TrainResult:
    step: int
    checkpoint: Path
    losses: dict[str, float]  # the last step's, averaged over the processes
    generator: nn.Module  # this process's trained networks (unwrapped), for callers that go on using them
    discriminator: nn.Module
    out_of_time: bool = False  # stopped by --time-limit before options.steps


@dataclass
class Models:
    """The networks as the step uses them: `generator`/`discriminator` may be DDP shells."""

    generator: nn.Module
    discriminator: nn.Module
    plain_discriminator: MultiscaleDiscriminator  # for G's step: no DDP gradient sync for a frozen D
    perceptual: PerceptualLoss | None  # None: --perceptual off


def train(options: TrainOptions, dataset: Dataset | None = None) -> TrainResult:
    """Train (or with options.resume, continue) the run in options.out; `dataset` overrides options.data."""
    env = setup(options.device)
    try:
        return _train(options, env, dataset)
    finally:
        teardown(env)


def _train(options: TrainOptions, env: DistEnv, dataset: Dataset | None) -> TrainResult:
    options.validate(env.world_size)
    checkpoint = _checkpoint_to_resume(options)
    config = options.model_config()
    if checkpoint is not None and checkpoint.config != config:
        raise OptionsError(f"cannot resume: the run trains {checkpoint.config.name}, not {config.name}")
    amp = _use_amp(options, env)
    if env.device.type == "cuda":
        # Fastest convolutions for the fixed crop size; costs bitwise-identical resumes on GPU.
        torch.backends.cudnn.benchmark = True
    options.out.mkdir(parents=True, exist_ok=True)

    _seed_everything(options.seed)
    vgg_state = _load_vgg_main_first(options, env)
    state, models = build_training(options, env, vgg_state, amp)
    if checkpoint is None:
        init_steps = _first_generator(state.generator, options, vgg_state)
    else:
        init_steps = int(checkpoint.meta.get(INIT_STEPS, 0))
    if options.ema:
        state.ema = WeightAverage(state.generator, options.ema)
    if checkpoint is not None:
        restore(state, checkpoint)
        restore_rng(checkpoint.extra["training"]["rng"])

    dataset = dataset if dataset is not None else build_dataset(options)
    per_rank = options.per_rank_batch(env.world_size)
    size = len(cast(Sized, dataset))  # map-style: torch's Dataset type does not declare __len__
    sampler = ResumableSampler(size, env.rank, env.world_size, options.seed)
    steps_per_epoch = sampler.per_rank // per_rank
    if steps_per_epoch == 0:
        raise OptionsError(f"the data has {size} pictures, fewer than one batch of {options.batch}")
    batches = _batches(dataset, sampler, options, per_rank, state.step, steps_per_epoch, env)

    log = RunLog(options.out, env.is_main)
    try:
        resumed = checkpoint is not None
        return _loop(options, env, config.name, state, models, batches, amp, log, resumed, init_steps)
    finally:
        log.close()


# Seen on a 2-core AVX2 EPYC: 50 discriminator steps with bf16 autocast did not finish in 10 minutes;
# in fp32 each took 4.6 s (one thread, 256², batch 4).
SLOW_BF16 = (
    "--amp bf16 on a CPU without native bf16 instructions (AVX512-BF16, AMX or Arm BF16): torch emulates "
    "them and each step runs slower than in fp32; --amp off is faster here"
)


def _loop(
    options: TrainOptions,
    env: DistEnv,
    model_name: str,
    state: TrainState,
    models: Models,
    batches: Iterator[dict[str, torch.Tensor]],
    amp: bool,
    log: RunLog,
    resumed: bool,
    init_steps: int,
) -> TrainResult:
    label = f"{options.generator} ({model_name}) on {options.data}, global batch {options.batch} over " + (
        f"{env.world_size} processes, crop {options.crop}, {env.device}, amp {'on' if amp else 'off'}"
    )
    log.info(f"{'resuming at' if resumed else 'starting'} step {state.step} of {options.steps}: {label}")
    log.text("run", f"{label}; options: {options.to_dict()}", state.step)
    if options.random_vgg:
        log.info(f"WARNING: {RANDOM_VGG_LABEL}")
        log.text("warning", RANDOM_VGG_LABEL, state.step)
    if amp and options.amp == "bf16" and env.device.type == "cpu" and not cpu_has_fast_bf16():
        log.info(f"WARNING: {SLOW_BF16}")
        log.text("warning", SLOW_BF16, state.step)
    meta_extra = {"generator": options.generator, "vgg": options.vgg_label, INIT_STEPS: init_steps}
    if options.ema:
        meta_extra["weights"] = f"moving average, decay {options.ema:g}"
    last_saved = state.step if resumed else None
    losses: dict[str, float] = {}
    out_of_time = False
    deadline = None if options.time_limit is None else time.monotonic() + 60 * options.time_limit
    progress = tqdm(total=options.steps, initial=state.step, disable=not env.is_main, unit="step")
    with progress:
        while state.step < options.steps and not out_of_time:
            batch = next(batches)
            _set_learning_rate(state, options.learning_rate(state.step))
            terms, output = train_step(batch, models, state, options, env, amp)
            if state.ema is not None:
                state.ema.update(state.generator)
            # One host sync per step: the averaged terms and each rank's "time is up" drive logging and one
            # stop decision for all ranks (clocks differ, so a rank alone must not stop).
            late = torch.tensor(
                float(deadline is not None and time.monotonic() > deadline), device=env.device
            )
            values = all_mean(
                env, torch.stack([terms[n].detach().float() for n in LOSS_NAMES] + [late])
            ).cpu()
            state.step += 1
            out_of_time = bool(values[-1] > 0) and state.step < options.steps
            losses = dict(zip(LOSS_NAMES, values[:-1].tolist(), strict=True))
            if not torch.isfinite(values).all():
                raise TrainingDiverged(_diverged_message(state.step, losses, options.out, last_saved))
            if state.step % options.log_every == 0:
                log.scalars(losses, state.step)
                d_total = losses["d_real"] + losses["d_fake"]
                progress.set_postfix(g=f"{losses['g_total']:.3f}", d=f"{d_total:.3f}")
            if state.step % options.image_every == 0:
                log.images(batch["lineart"], batch["hints"], output, batch["target"], state.step)
            if state.step % options.checkpoint_every == 0 or state.step == options.steps or out_of_time:
                _save(options, env, state, meta_extra, log)
                last_saved = state.step
            progress.update(1)
    if out_of_time:
        log.info(
            f"time limit of {options.time_limit:g} min reached at step {state.step}; go on with --resume"
        )
    log.info(f"finished at step {state.step}; checkpoint {latest_path(options.out)}")
    return TrainResult(
        state.step, latest_path(options.out), losses, state.generator, state.discriminator, out_of_time
    )


def build_training(
    options: TrainOptions,
    env: DistEnv,
    vgg_state: dict[str, torch.Tensor] | None,
    amp: bool,
) -> tuple[TrainState, Models]:
    """The networks on env.device, their optimizers and scalers: what train_step needs besides a batch.
    `vgg_state` is the perceptual loss's VGG19; a new run's hint encoder is `_first_generator`'s job."""
    generator = build_generator(options.model_config())
    discriminator = MultiscaleDiscriminator(options.model_config())
    perceptual = (
        PerceptualLoss(perceptual_vgg(vgg_state, options.seed)) if options.perceptual == "vgg" else None
    )
    for module in (generator, discriminator, perceptual):
        if module is not None:
            module.to(env.device)
    betas = (options.beta1, options.beta2)
    state = TrainState(
        generator,
        discriminator,
        torch.optim.Adam(generator.trainable_parameters(), lr=options.lr, betas=betas),
        torch.optim.Adam(discriminator.parameters(), lr=options.lr, betas=betas),
        torch.amp.GradScaler(env.device.type, enabled=amp and _autocast_dtype(options) == torch.float16),
        torch.amp.GradScaler(env.device.type, enabled=amp and _autocast_dtype(options) == torch.float16),
    )
    models = Models(
        _maybe_ddp(generator, env),
        _maybe_ddp(discriminator, env),
        discriminator,
        perceptual.eval() if perceptual is not None else None,
    )
    return state, models


def train_step(
    batch: dict[str, torch.Tensor],
    models: Models,
    state: TrainState,
    options: TrainOptions,
    env: DistEnv,
    amp: bool,
) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """One iteration: D on (real, detached fake), then G on eq. 4 (not during --d-warmup). Returns the
    loss terms (G's zero while it waits) and G's output."""
    lineart, hints, target = (
        batch[k].to(env.device, non_blocking=True) for k in ("lineart", "hints", "target")
    )
    autocast = torch.autocast(env.device.type, dtype=_autocast_dtype(options), enabled=amp)
    n = lineart.shape[0]
    pair_lineart = torch.cat([lineart, lineart])
    warming_up = state.step < options.d_warmup
    with autocast, torch.set_grad_enabled(not warming_up):
        output = models.generator(lineart, hints)
    with autocast:
        # Real and fake through D as one batch: instance norm is per sample, so this equals two passes,
        # and DDP sees a single forward per backward.
        d_out = models.discriminator(pair_lineart, torch.cat([target, output.detach()]))
        d_real, d_fake = discriminator_objective(*_split(d_out, n), kind=options.gan_loss)
    _update(state.opt_d, state.scaler_d, d_real + d_fake)
    if warming_up:
        zero = output.new_zeros((), dtype=torch.float32)
        terms = {"d_real": d_real, "d_fake": d_fake} | {name: zero for name in LOSS_NAMES[2:]}
        return terms, output

    models.plain_discriminator.requires_grad_(False)  # D only judges here; its weights stay untouched
    try:
        with autocast:
            judged = models.plain_discriminator(pair_lineart, torch.cat([target, output]))
            real_out, fake_out = _split(judged, n)
            perceptual = (
                models.perceptual(output, target) if models.perceptual is not None else output.new_zeros(())
            )
            g = generator_objective(fake_out, real_out, perceptual, options.loss_lambda, options.gan_loss)
        _update(state.opt_g, state.scaler_g, g.total)
    finally:
        models.plain_discriminator.requires_grad_(True)
    terms = {
        "d_real": d_real,
        "d_fake": d_fake,
        "g_gan": g.gan,
        "g_fm": g.feature_matching,
        "g_perc": g.perceptual,
        "g_total": g.total,
    }
    return terms, output.detach()


def _set_learning_rate(state: TrainState, rate: float) -> None:
    for optimizer in (state.opt_g, state.opt_d):
        for group in optimizer.param_groups:
            group["lr"] = rate


def _update(optimizer: torch.optim.Optimizer, scaler: torch.amp.GradScaler, loss: torch.Tensor) -> None:
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()


Outputs = list[list[torch.Tensor]]


def _split(outputs: Outputs, n: int) -> tuple[Outputs, Outputs]:
    """Discriminator outputs of a (first n, rest) batch as two outputs."""
    first = [[f[:n] for f in features] for features in outputs]
    rest = [[f[n:] for f in features] for features in outputs]
    return first, rest


def build_dataset(options: TrainOptions) -> Dataset:
    """The data `options.data` names, from the data module (imported here: it pulls in image libraries)."""
    from .data import (
        PAPER_LINE_PROBS,
        IllustrationDataset,
        MixedDataset,
        SyntheticDataset,
        parse_folder_shares,
        parse_line_probs,
        parse_picture_weights,
    )

    if options.data == SYNTHETIC:
        return SyntheticDataset(size=options.crop, seed=options.seed)
    probs = parse_line_probs(options.line_probs) if options.line_probs else PAPER_LINE_PROBS
    shares = parse_folder_shares(options.folder_shares) if options.folder_shares else None
    rules = parse_picture_weights(options.picture_weights) if options.picture_weights else ()
    try:
        real = IllustrationDataset(
            options.data, crop=options.crop, lines_dir=options.lines, line_probs=probs, seed=options.seed,
            tag_file=options.tags, folder_shares=shares, thin_lines=options.thin_lines,
            weight_rules=rules, detail_lines=options.detail_lines, zoom=options.zoom,
            hatching=options.hatching, line_gaps=options.line_gaps,
        )  # fmt: skip
    except ValueError as exc:  # e.g. a folder with no colour pictures
        raise OptionsError(f"--data {options.data}: {exc}") from None
    if not options.synthetic_share:
        return real
    synthetic = SyntheticDataset(size=options.crop, length=len(real), seed=options.seed)
    return MixedDataset(real, synthetic, options.synthetic_share, options.seed)


def _batches(
    dataset: Dataset,
    sampler: ResumableSampler,
    options: TrainOptions,
    per_rank: int,
    start_step: int,
    steps_per_epoch: int,
    env: DistEnv,
) -> Iterator[dict[str, torch.Tensor]]:
    """Batches from `start_step` on, forever; position (epoch, offset) is a function of the step alone."""
    step = start_step
    while True:
        epoch, offset = divmod(step, steps_per_epoch)
        sampler.set_position(epoch, offset * per_rank)
        set_epoch = getattr(dataset, "set_epoch", None)
        if set_epoch is not None:
            set_epoch(epoch)
        loader = DataLoader(
            dataset,
            batch_size=per_rank,
            sampler=sampler,
            num_workers=options.workers,
            drop_last=True,
            pin_memory=env.device.type == "cuda",
            # The loader draws its worker seed from this, not from the global RNG the run saves.
            generator=torch.Generator().manual_seed(options.seed + epoch),
        )
        for batch in loader:
            yield batch
            step += 1


def _save(options: TrainOptions, env: DistEnv, state: TrainState, meta_extra: dict, log: RunLog) -> None:
    if env.is_main:
        config = options.model_config()
        name = f"{config.name} step {state.step}"
        summary = (
            f"{options.generator} trained {state.step} steps on {options.data}, "
            f"batch {options.batch}, crop {options.crop}"
        )
        if options.random_vgg:
            name += " (random VGG19, test only)"
            summary += f"; {RANDOM_VGG_LABEL}"
        meta = {"name": name, "trained": True, "step": state.step, "summary": summary, **meta_extra}
        path = save_run(options.out, state, config, options, meta)
        log.info(f"step {state.step}: saved {path}")
    barrier(env)  # nobody reads or moves on past a half-written checkpoint


def _checkpoint_to_resume(options: TrainOptions) -> Checkpoint | None:
    latest = latest_path(options.out)
    if not options.resume:
        if latest.exists():
            raise OptionsError(
                f"{options.out} already holds a run ({latest.name}); pass --resume to continue it "
                f"or choose another --out"
            )
        return None
    if not latest.exists():
        raise OptionsError(f"nothing to resume: {latest} does not exist")
    try:
        checkpoint = load_run(options.out)
    except CheckpointError as exc:
        raise OptionsError(f"cannot resume: {exc}") from None
    options.check_same_run(saved_options(checkpoint))
    return checkpoint


def _first_generator(
    generator: nn.Module, options: TrainOptions, vgg_state: dict[str, torch.Tensor] | None
) -> int:
    """A new run's G: --init's weights if given, then the hint encoder --vgg-weights names (saved with G's
    weights from then on): a run that asks for a VGG19 gets it even when it starts from a model trained
    with another. With `random` the encoder stays --init's, or the fresh random one. Returns the steps
    behind --init's weights (0 without)."""
    init_steps = 0
    if options.init is not None:
        init_steps = _start_from(generator, options.init, options.model_config())
    encoder = getattr(generator, "hint_encoder", None)
    if vgg_state is not None and encoder is not None:
        encoder.load_torchvision(vgg_state)
    return init_steps


def _start_from(generator: nn.Module, path: Path, config: ModelConfig) -> int:
    """Fine-tuning: G's weights from another model of the same architecture (a shipped int8 model too)."""
    try:
        source = load_checkpoint(path)
    except CheckpointError as exc:
        raise OptionsError(f"--init {path}: {exc}") from None
    if source.config != config:
        raise OptionsError(f"--init {path} is a {source.config.name} model; this run trains {config.name}")
    generator.load_state_dict(source.build_generator().state_dict())
    return steps_behind(source.meta)


def _load_vgg_main_first(options: TrainOptions, env: DistEnv) -> dict[str, torch.Tensor] | None:
    """Rank 0 first, so a download through torch.hub's cache happens once, not once per process."""
    if not env.is_main:
        barrier(env)
    state = load_vgg_weights(options.vgg_weights)
    if env.is_main:
        barrier(env)
    return state


def _use_amp(options: TrainOptions, env: DistEnv) -> bool:
    if options.amp == "on" and env.device.type != "cuda":
        raise OptionsError("--amp on needs a CUDA device (fp16 autocast); use --amp bf16, off or auto here")
    return options.amp in ("on", "bf16") or (options.amp == "auto" and env.device.type == "cuda")


def _autocast_dtype(options: TrainOptions) -> torch.dtype:
    """bf16 has fp32's exponent range, so it needs no loss scaling; fp16 does (GradScaler)."""
    return torch.bfloat16 if options.amp == "bf16" else torch.float16


def _maybe_ddp(module: nn.Module, env: DistEnv) -> nn.Module:
    if not env.distributed:
        return module
    device_ids = [env.device.index] if env.device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=device_ids)


def _seed_everything(seed: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def _diverged_message(step: int, losses: dict[str, float], out: Path, last_saved: int | None) -> str:
    bad = ", ".join(f"{k}={v}" for k, v in losses.items() if not np.isfinite(v))
    kept = (
        f"the last good checkpoint {latest_path(out)} (step {last_saved}) is kept"
        if last_saved is not None
        else "no checkpoint had been written yet"
    )
    return f"loss is not finite at step {step} ({bad}); training stopped, {kept}"
