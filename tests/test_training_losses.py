"""The loss terms of section 3.3 behave as the equations say."""

import pytest
import torch

from linetint.model.config import preset
from linetint.model.discriminator import MultiscaleDiscriminator
from linetint.model.vgg import VGG19Features
from linetint.training.losses import (
    PerceptualLoss,
    discriminator_objective,
    feature_matching_loss,
    gan_loss,
    generator_objective,
)


@pytest.fixture(scope="module")
def perceptual() -> PerceptualLoss:
    torch.manual_seed(0)
    return PerceptualLoss(VGG19Features(last="relu5_1"))


def outputs(logit: float, n_disc: int = 3) -> list[list[torch.Tensor]]:
    """Fake discriminator outputs: two feature layers and a logits layer filled with `logit`."""
    return [[torch.ones(2, 4, 8, 8), torch.ones(2, 8, 4, 4), torch.full((2, 1, 3, 3), logit)]] * n_disc


# A confident "real" verdict: a large logit for BCE, the target 1 for least squares (0 for "fake").
@pytest.mark.parametrize("kind, real_logit, fake_logit", [("bce", 5.0, -5.0), ("lsgan", 1.0, 0.0)])
def test_gan_loss_rewards_the_right_verdict(kind, real_logit, fake_logit):
    confident_real, confident_fake = outputs(real_logit), outputs(fake_logit)
    assert gan_loss(confident_real, real=True, kind=kind) < gan_loss(confident_fake, real=True, kind=kind)
    assert gan_loss(confident_fake, real=False, kind=kind) < gan_loss(confident_real, real=False, kind=kind)
    if kind == "bce":
        # sums over the 3 discriminators: each undecided one costs log 2
        assert gan_loss(outputs(0.0), real=True) == pytest.approx(3 * torch.log(torch.tensor(2.0)).item())


def test_gan_loss_gradient_moves_fake_logits_towards_real_for_g_and_away_for_d():
    logits = torch.zeros(2, 1, 3, 3, requires_grad=True)
    (g_grad,) = torch.autograd.grad(gan_loss([[logits]], real=True), logits)
    (d_grad,) = torch.autograd.grad(gan_loss([[logits]], real=False), logits)
    assert (g_grad < 0).all()  # gradient descent raises D(fake) for G
    assert (d_grad > 0).all()  # and lowers it for D


def test_unknown_gan_loss_is_refused():
    with pytest.raises(ValueError, match="unknown GAN loss"):
        gan_loss(outputs(0.0), real=True, kind="wgan")


def test_feature_matching_is_zero_for_identical_features_and_ignores_logits():
    same = outputs(1.0)
    assert feature_matching_loss(same, same) == 0
    different_logits = outputs(-3.0)
    assert feature_matching_loss(same, different_logits) == 0  # logits are not a matched "layer"


def test_feature_matching_normalises_each_layer_by_its_size_and_sums_discriminators():
    real = outputs(0.0)
    fake = [[f + 1 for f in features[:-1]] + [features[-1]] for features in real]
    # every element differs by 1: each layer's mean L1 is 1, 2 layers x 3 discriminators
    assert feature_matching_loss(real, fake) == pytest.approx(6.0)


def test_feature_matching_does_not_train_the_real_branch():
    disc = MultiscaleDiscriminator(preset("tiny"))
    lineart = torch.zeros(1, 1, 32, 32)
    real_image = torch.rand(1, 3, 32, 32, requires_grad=True)
    fake_image = torch.rand(1, 3, 32, 32, requires_grad=True)
    loss = feature_matching_loss(disc(lineart, real_image), disc(lineart, fake_image))
    loss.backward()
    assert real_image.grad is None
    assert fake_image.grad.abs().sum() > 0


def test_perceptual_is_zero_for_identical_images_and_positive_otherwise(perceptual):
    torch.manual_seed(1)
    image = torch.rand(2, 3, 32, 32) * 2 - 1
    assert perceptual(image, image) == 0
    assert perceptual(image.flip(-1), image) > 0
    assert perceptual(torch.zeros_like(image), image) > perceptual(image * 0.9, image)


def test_perceptual_vgg_is_frozen_and_stays_in_eval_mode(perceptual):
    perceptual.train()
    assert not perceptual.vgg.training
    assert not any(p.requires_grad for p in perceptual.parameters())
    fake = torch.zeros(1, 3, 32, 32, requires_grad=True)
    perceptual(fake, torch.rand(1, 3, 32, 32)).backward()
    assert fake.grad.abs().sum() > 0


def test_generator_objective_is_eq_4_with_perceptual_counted_per_discriminator():
    real, fake = outputs(0.0), [[f * 2 for f in features] for features in outputs(0.0)]
    perceptual = torch.tensor(0.5)
    losses = generator_objective(fake, real, perceptual, weight=10.0)
    expected = losses.gan + 10.0 * (losses.feature_matching + 3 * 0.5)
    assert losses.total == pytest.approx(expected.item())
    assert losses.perceptual == 0.5


def test_discriminator_objective_splits_real_and_fake_terms():
    real_term, fake_term = discriminator_objective(outputs(5.0), outputs(-5.0))
    assert real_term < 0.1 and fake_term < 0.1
    real_term, fake_term = discriminator_objective(outputs(-5.0), outputs(5.0))
    assert real_term > 10 and fake_term > 10
