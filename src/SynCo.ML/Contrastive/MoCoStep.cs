using TorchSharp;

namespace SynCo.ML.Contrastive;

/// <summary>Result of <see cref="MoCoEngine.Forward(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, bool, TorchSharp.torch.Tensor)"/>.</summary>
/// <param name="Loss">Scalar InfoNCE loss with its autograd graph (back-propagate it).</param>
/// <param name="Keys">(B, D) or (2B, D) unit keys to enqueue after the optimiser step.</param>
/// <param name="Hardness">Per-group hardness of this step's logits (first loss direction).</param>
public sealed record MoCoStep(torch.Tensor Loss, torch.Tensor Keys, IReadOnlyList<NegativeGroupStats> Hardness);
