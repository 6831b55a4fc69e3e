using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("SynCo.ML.Tests")]
[assembly: InternalsVisibleTo("SynCo.ML.Benchmarks")]
[assembly: InternalsVisibleTo("SynCo.ML.MpiProbe")]
