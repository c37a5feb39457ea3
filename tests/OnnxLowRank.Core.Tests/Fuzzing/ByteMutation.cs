namespace OnnxLowRank.Core.Tests.Fuzzing;

/// <summary>Damage to the raw file: flipped bits, overwritten, inserted or deleted bytes, a truncated tail.</summary>
internal static class ByteMutation
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x08, 0x0A, 0x12, 0x1A, 0x3A];

    /// <summary>A damaged copy of <paramref name="bytes"/> and what was done to it.</summary>
    public static (byte[] Bytes, string Description) Apply(byte[] bytes, Random random)
    {
        if (bytes.Length == 0) return ([0x0A], "grow an empty file");
        var data = bytes.ToList();
        var at = random.Next(data.Count);
        switch (random.Next(6))
        {
            case 0:
                var flips = 1 + random.Next(8);
                for (var i = 0; i < flips; i++)
                {
                    var position = random.Next(data.Count);
                    data[position] ^= (byte)(1 << random.Next(8));
                }
                return (data.ToArray(), $"flip {flips} bits");
            case 1:
                var overwrite = 1 + random.Next(4);
                for (var i = 0; i < overwrite && at + i < data.Count; i++) data[at + i] = Interesting[random.Next(Interesting.Length)];
                return (data.ToArray(), $"overwrite {overwrite} bytes at {at}");
            case 2:
                var inserted = Enumerable.Range(0, 1 + random.Next(8)).Select(_ => random.Next(3) == 0 ? (byte)random.Next(256) : Interesting[random.Next(Interesting.Length)]).ToArray();
                data.InsertRange(at, inserted);
                return (data.ToArray(), $"insert {inserted.Length} bytes at {at}");
            case 3:
                var deleted = Math.Min(1 + random.Next(16), data.Count - at);
                data.RemoveRange(at, deleted);
                return (data.ToArray(), $"delete {deleted} bytes at {at}");
            case 4:
                return (bytes[..at], $"truncate at {at}");
            default:
                var length = Math.Min(1 + random.Next(64), data.Count - at);
                var chunk = data.GetRange(at, length);
                data.InsertRange(random.Next(data.Count + 1), chunk);
                return (data.ToArray(), $"duplicate {length} bytes from {at}");
        }
    }
}
