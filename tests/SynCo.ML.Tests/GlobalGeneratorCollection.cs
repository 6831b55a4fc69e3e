namespace SynCo.ML.Tests;

/// <summary>
/// Tests that assert what <c>torch.manual_seed</c> decides. xUnit runs test classes in parallel, and any of them may draw
/// from libtorch's process-wide generator between a test's <c>manual_seed</c> and its draw, so these run alone, after
/// the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalGeneratorCollection
{
    /// <summary>The collection's name, for <c>[Collection(GlobalGeneratorCollection.Name)]</c>.</summary>
    public const string Name = "libtorch global generator";
}
