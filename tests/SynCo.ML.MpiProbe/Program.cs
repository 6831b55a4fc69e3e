// Started by tests/SynCo.ML.Tests/Distributed/MpiWorldTests.cs as `mpirun -np N dotnet SynCo.ML.MpiProbe.dll [mode]`.
//   (no mode)  every collective on known values; prints "ok <world> <checks>" or exits 1 naming the first wrong value
//   throw      rank 1 throws, and the probe aborts the whole job with that rank's message (rank 0 waits in a barrier)
using SynCo.ML.Distributed;

using var world = MpiWorld.Join();
if (world is null)
{
    bool mapped = File.ReadAllText("/proc/self/maps").Contains("libmpi");
    Console.WriteLine($"no launcher: MPI library mapped: {mapped}");
    return 0;
}
try
{
    if (args.FirstOrDefault() == "throw")
    {
        if (world.Rank == 1) throw new InvalidOperationException("rank 1 failed on purpose");
        world.Barrier(); // never completes: rank 1 aborts the job
        return 3;
    }

    int n = world.Size, r = world.Rank;
    // All-reduce over more than one MPI call's worth of floats would take gigabytes; 3 M floats is a ResNet-18/4 gradient.
    var values = new float[3_000_000];
    for (int i = 0; i < values.Length; i++) values[i] = (r + 1) * (i % 97);
    world.AllReduceSum(values);
    float factor = n * (n + 1) / 2f;
    for (int i = 0; i < values.Length; i++)
        if (values[i] != factor * (i % 97)) return Fail($"all-reduce: element {i} is {values[i]}, expected {factor * (i % 97)}");

    var local = Enumerable.Range(0, 5).Select(i => (float)(10 * r + i)).ToArray();
    var all = new float[5 * n];
    world.AllGather(local, all);
    for (int k = 0; k < n; k++)
        for (int i = 0; i < 5; i++)
            if (all[5 * k + i] != 10 * k + i) return Fail($"all-gather: rank {k}'s element {i} is {all[5 * k + i]}");

    var bytes = new byte[1000];
    if (world.IsRoot) for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i * 7);
    world.Broadcast(bytes);
    for (int i = 0; i < bytes.Length; i++)
        if (bytes[i] != (byte)(i * 7)) return Fail($"broadcast: byte {i} is {bytes[i]}");

    int max = world.AllReduceMax(r == n - 1 ? 42 : r);
    if (max != Math.Max(42, n - 2)) return Fail($"all-reduce max is {max}");
    world.Barrier();
    Console.WriteLine($"ok {world} all-reduce all-gather broadcast max");
    return 0;
}
catch (Exception e)
{
    world.Abort(e.Message);
    return 1;
}

int Fail(string message)
{
    Console.WriteLine($"FAIL {world}: {message}");
    return 1;
}
