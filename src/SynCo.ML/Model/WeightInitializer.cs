using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SynCo.ML.Model;

/// <summary>
/// (Re)initialises a network from its own <see cref="Generator"/>, with the distributions torchvision and PyTorch use:
/// convolutions Kaiming-normal (fan-out, ReLU gain), batch-norm γ = 1 and β = 0, linear layers PyTorch's default
/// U(−1/√fan_in, 1/√fan_in) for weights and biases.
/// </summary>
/// <remarks>
/// <see cref="ResNet"/> and <see cref="ContrastiveEncoder"/> initialise through this class. Given a generator, their
/// weights do not depend on libtorch's process-wide generator, which other threads (another training, any tensor code)
/// may be drawing from at the same time; a seeded run stays reproducible and leaves the caller's global seed alone.
/// </remarks>
/// <example><code>using var g = new Generator(42); WeightInitializer.Apply(encoder, g);</code></example>
public static class WeightInitializer
{
    /// <summary>Reinitialises every convolution, batch-norm and linear layer of <paramref name="network"/> from <paramref name="generator"/>.</summary>
    /// <param name="network">Any module; its parameters may live on any device.</param>
    /// <param name="generator">
    /// A CPU generator: values are drawn on the CPU, then copied, so a seed gives the same weights on every device. Null
    /// seeds a private one from libtorch's global generator (one draw), so <c>torch.manual_seed</c> still decides.
    /// </param>
    public static void Apply(nn.Module network, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (generator is null)
        {
            using var draw = randint(long.MaxValue, new long[] { 1 });
            using var seeded = new Generator((ulong)draw.item<long>());
            Apply(network, seeded);
            return;
        }
        using var noGrad = no_grad();
        foreach (var (_, module) in network.named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    long fanOut = conv.weight!.shape[0] * conv.weight.shape[2] * conv.weight.shape[3];
                    Fill(conv.weight, t => t.normal_(0, Math.Sqrt(2.0 / fanOut), generator));
                    break;
                case BatchNorm bn:
                    bn.weight!.fill_(1);
                    bn.bias!.fill_(0);
                    break;
                case Linear linear:
                    double bound = 1 / Math.Sqrt(linear.weight!.shape[1]);
                    Fill(linear.weight, t => t.uniform_(-bound, bound, generator));
                    if (linear.bias is { } bias) Fill(bias, t => t.uniform_(-bound, bound, generator));
                    break;
            }
        }
    }

    private static void Fill(Tensor parameter, Action<Tensor> draw)
    {
        using var values = empty(parameter.shape, dtype: parameter.dtype);
        draw(values);
        parameter.copy_(values);
    }
}
