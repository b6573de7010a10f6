using SeqDsl.Runtime.Data;

namespace SeqDsl.Runtime.Tests.Data;

public class SyntheticClimateTests
{
    // Generated once for the class: the statistical tests need the full length to be meaningful.
    private static readonly Lazy<TimeSeriesFrame> Full = new(() => SyntheticClimate.Generate());

    private static readonly string[] JenaColumns =
    {
        "p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)", "VPmax (mbar)", "VPact (mbar)", "VPdef (mbar)",
        "sh (g/kg)", "H2OC (mmol/mol)", "rho (g/m**3)", "wv (m/s)", "max. wv (m/s)", "wd (deg)",
    };

    [Fact]
    public void Columns_are_Jenas_numeric_columns_in_order()
    {
        Assert.Equal(JenaColumns, SyntheticClimate.Columns);
        Assert.Equal(JenaColumns, Full.Value.Columns);
        Assert.Equal(SyntheticClimate.DefaultRows, Full.Value.Rows);
    }

    [Fact]
    public void Same_seed_gives_identical_values_and_another_seed_differs()
    {
        var a = SyntheticClimate.Generate(3000, seed: 7);
        var b = SyntheticClimate.Generate(3000, seed: 7);
        var c = SyntheticClimate.Generate(3000, seed: 8);
        Assert.Equal(a.Values, b.Values);
        Assert.Equal(a.Timestamps, b.Timestamps);
        Assert.NotEqual(a.Values, c.Values);
        // A shorter run is a prefix of a longer one with the same seed.
        Assert.Equal(a.Values.AsSpan(0, 100 * 14).ToArray(), SyntheticClimate.Generate(100, seed: 7).Values);
    }

    [Fact]
    public void Timestamps_step_every_10_minutes_from_2009_01_01_00_10()
    {
        var timestamps = Full.Value.Timestamps!;
        Assert.Equal(new DateTime(2009, 1, 1, 0, 10, 0), timestamps[0]);
        for (int i = 1; i < timestamps.Length; i++)
            Assert.True(timestamps[i] - timestamps[i - 1] == TimeSpan.FromMinutes(10), $"step at row {i}");
    }

    [Fact]
    public void Physical_relations_hold_on_every_row()
    {
        var f = Full.Value;
        for (int r = 0; r < f.Rows; r++)
        {
            float p = f[r, 0], t = f[r, 1], tpot = f[r, 2], tdew = f[r, 3], rh = f[r, 4], vpMax = f[r, 5], vpAct = f[r, 6];
            float vpDef = f[r, 7], sh = f[r, 8], h2oc = f[r, 9], rho = f[r, 10], wv = f[r, 11], maxWv = f[r, 12], wd = f[r, 13];
            bool ok = tdew <= t
                      && rh > 0 && rh <= 100
                      && Near(rh, 100 * vpAct / vpMax)
                      && Near(vpMax, Magnus(t)) && Near(vpAct, Magnus(tdew))
                      && vpDef >= 0 && Math.Abs(vpDef - (vpMax - vpAct)) < 1e-4
                      && Near(tpot, (t + 273.15) * Math.Pow(1000.0 / p, 0.286))
                      && Near(sh, 622.0 * vpAct / (p - 0.378 * vpAct))
                      && Near(h2oc, 1000.0 * vpAct / p)
                      && Near(rho, p * 100 / (287.058 * (t + 273.15)) * 1000)
                      && wv >= 0 && maxWv >= wv && wd >= 0 && wd < 360
                      && p is > 930 and < 1050 && t is > -35 and < 42;
            // The message is built only on failure: formatting it for 420k rows would dominate the test.
            if (!ok)
                Assert.Fail($"row {r}: p={p} T={t} Tpot={tpot} Tdew={tdew} rh={rh} VPmax={vpMax} VPact={vpAct} VPdef={vpDef} " +
                            $"sh={sh} H2OC={h2oc} rho={rho} wv={wv} max.wv={maxWv} wd={wd}");
        }
    }

    [Fact]
    public void Magnitudes_resemble_Jena()
    {
        var f = Full.Value;
        Assert.InRange(Mean(f, 0), 985, 993);     // Jena: 989.2 mbar
        Assert.InRange(Std(f, 0), 5, 12);         // Jena: 8.4
        Assert.InRange(Mean(f, 1), 8, 11);        // Jena: 9.45 °C
        Assert.InRange(Std(f, 1), 6.5, 10);       // Jena: 8.4
        Assert.InRange(Mean(f, 4), 65, 85);       // Jena: 76 %
        Assert.InRange(Mean(f, 10), 1190, 1240);  // Jena: 1216 g/m³
        Assert.InRange(Mean(f, 11), 1, 3.5);      // Jena: about 2 m/s
    }

    [Fact]
    public void Temperature_is_smooth_and_24h_naive_error_is_Jena_like()
    {
        var f = Full.Value;
        var t = Column(f, 1);
        double mean = t.Average(), variance = 0, lag1 = 0;
        for (int i = 0; i < t.Length; i++)
        {
            variance += (t[i] - mean) * (t[i] - mean);
            if (i > 0)
                lag1 += (t[i] - mean) * (t[i - 1] - mean);
        }
        Assert.True(lag1 / variance > 0.99, $"lag-1 autocorrelation {lag1 / variance}");

        double naive = 0;
        for (int i = 0; i + 144 < t.Length; i++)
            naive += Math.Abs(t[i + 144] - t[i]);
        naive /= t.Length - 144;
        // Jena: about 0.29 of T's standard deviation.
        Assert.InRange(naive / Math.Sqrt(variance / t.Length), 0.15, 0.6);
    }

    [Fact]
    public void The_recent_past_predicts_24h_ahead_better_than_the_last_value_but_not_trivially()
    {
        // A least-squares predictor on a few hand-made features stands in for a GRU: fitted on the first 70%,
        // scored on the rest. It must beat "tomorrow = now", which needs information beyond the last value.
        var f = Full.Value;
        var features = new List<double[]>();
        var targets = new List<double>();
        for (int r = 144; r + 144 < f.Rows; r += 6)
        {
            double hour = (r + 1) / 6.0 % 24;
            features.Add(new[]
            {
                1, f[r, 1], f[r - 36, 1], f[r - 72, 1], f[r - 144, 1], f[r, 0] - 989, f[r, 0] - f[r - 72, 0],
                Math.Sin(hour * Math.PI / 12), Math.Cos(hour * Math.PI / 12), f[r, 3],
            });
            targets.Add(f[r + 144, 1]);
        }
        int split = features.Count * 7 / 10;
        var weights = LeastSquares(features.Take(split).ToList(), targets.Take(split).ToList());

        double model = 0, naive = 0;
        for (int i = split; i < features.Count; i++)
        {
            double prediction = features[i].Zip(weights, (x, w) => x * w).Sum();
            model += Math.Abs(prediction - targets[i]);
            naive += Math.Abs(features[i][1] - targets[i]);
        }
        Assert.InRange(model / naive, 0.7, 0.97);
    }

    [Fact]
    public void Zero_rows_gives_an_empty_frame()
    {
        var empty = SyntheticClimate.Generate(0);
        Assert.Equal(0, empty.Rows);
        Assert.Equal(14, empty.ColumnCount);
    }

    private static double Magnus(double t) => 6.1094 * Math.Exp(17.625 * t / (t + 243.04));

    private static bool Near(double actual, double expected) => Math.Abs(actual - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected));

    private static float[] Column(TimeSeriesFrame f, int c)
    {
        var column = new float[f.Rows];
        for (int r = 0; r < f.Rows; r++)
            column[r] = f[r, c];
        return column;
    }

    private static double Mean(TimeSeriesFrame f, int c) => Column(f, c).Average();

    private static double Std(TimeSeriesFrame f, int c)
    {
        var x = Column(f, c);
        double mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / x.Length);
    }

    private static double[] LeastSquares(List<double[]> x, List<double> y)
    {
        int d = x[0].Length;
        var a = new double[d, d + 1];
        for (int i = 0; i < x.Count; i++)
            for (int p = 0; p < d; p++)
            {
                for (int q = 0; q < d; q++)
                    a[p, q] += x[i][p] * x[i][q];
                a[p, d] += x[i][p] * y[i];
            }
        // Gauss-Jordan elimination with partial pivoting on the normal equations.
        for (int p = 0; p < d; p++)
        {
            int pivot = p;
            for (int q = p + 1; q < d; q++)
                if (Math.Abs(a[q, p]) > Math.Abs(a[pivot, p]))
                    pivot = q;
            for (int q = 0; q <= d; q++)
                (a[p, q], a[pivot, q]) = (a[pivot, q], a[p, q]);
            for (int q = 0; q < d; q++)
            {
                if (q == p)
                    continue;
                double factor = a[q, p] / a[p, p];
                for (int z = 0; z <= d; z++)
                    a[q, z] -= factor * a[p, z];
            }
        }
        var w = new double[d];
        for (int p = 0; p < d; p++)
            w[p] = a[p, d] / a[p, p];
        return w;
    }
}
