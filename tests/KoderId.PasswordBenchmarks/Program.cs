using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using KoderId.Application.Credentials;

// Single-threaded Argon2id: Konscious (managed) against libsodium through NSec, at the same parameters.
// Usage: dotnet run -c Release --project tests/KoderId.PasswordBenchmarks [-- --seconds 10]
var seconds = args.Length == 2 && args[0] == "--seconds" ? double.Parse(args[1], CultureInfo.InvariantCulture) : 10.0;
PasswordHashingPolicy[] policies = [PasswordHashingPolicy.Default, new(65_536, 3, 1)];
IPasswordHasher[] hashers = [KonsciousArgon2idHasher.Instance, SodiumArgon2idHasher.Instance];

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} logical CPUs, {seconds:0} s per measure"));
Console.WriteLine("| parameters | implementation | hashes/s | ms/hash | hashes |");
Console.WriteLine("|---|---|---:|---:|---:|");
foreach (var policy in policies)
{
    var rates = new Dictionary<string, double>();
    foreach (var hasher in hashers)
    {
        // Warm up (JIT, first allocation of the memory blocks) and check the output is interchangeable.
        var phc = hasher.Hash("benchmark password 1", policy);
        if (!hashers.All(other => other.Verify("benchmark password 1", phc)))
        {
            throw new InvalidOperationException("A hash did not verify with every implementation.");
        }

        var count = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            hasher.Hash("benchmark password 1", policy);
            count++;
        }

        watch.Stop();
        var rate = count / watch.Elapsed.TotalSeconds;
        rates[hasher.Name] = rate;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| m={policy.MemoryKiB},t={policy.Iterations},p={policy.Parallelism} | {hasher.Name} | {rate:0.0} | {1000 / rate:0.0} | {count} |"));
    }

    var konscious = rates[KonsciousArgon2idHasher.Instance.Name];
    var sodium = rates[SodiumArgon2idHasher.Instance.Name];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| m={policy.MemoryKiB},t={policy.Iterations},p={policy.Parallelism} | ratio libsodium / Konscious | {sodium / konscious:0.00}x | | |"));
}

Console.WriteLine($"Default engine at the default policy: {PasswordHashers.CreateDefault(PasswordHashingPolicy.Default).Name}");
