using System;
using System.Collections.Generic;

namespace SeqDsl.Runtime.Data;

/// <summary>
/// A deterministic stand-in for the Jena climate data set: the same 14 columns, 10-minute steps from
/// 2009-01-01 00:10, plausible magnitudes and the physical relations between the columns. Tests, demos and
/// machines without network access use it; like Jena, a recurrent model can beat the "last value" baseline
/// 24 h ahead, but only modestly.
/// </summary>
/// <remarks>
/// Temperature is an annual cycle (mean 9.5 °C, amplitude 9) plus a diurnal cycle (amplitude about 4, larger in
/// summer and under high pressure) plus weather: a smooth mean-reverting anomaly with a time scale of days and a
/// warm-advection term that follows falling pressure. Pressure is a slow random process around 989 mbar (sd 8).
/// Dew point sits below temperature by a non-negative depression; vapour pressures come from the Magnus formula
/// and humidity, density and potential temperature are derived from them as in the Jena station's data.
/// </remarks>
public static class SyntheticClimate
{
    private static readonly string[] ColumnNames =
    {
        "p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)", "VPmax (mbar)", "VPact (mbar)", "VPdef (mbar)",
        "sh (g/kg)", "H2OC (mmol/mol)", "rho (g/m**3)", "wv (m/s)", "max. wv (m/s)", "wd (deg)",
    };

    /// <summary>Jena's 14 numeric columns, in Jena's order.</summary>
    public static IReadOnlyList<string> Columns { get; } = Array.AsReadOnly(ColumnNames);

    /// <summary>The row count of the real Jena CSV (2009-01-01 00:10 to 2017-01-01 00:00, every 10 minutes, with gaps).</summary>
    public const int DefaultRows = 420_551;

    /// <summary>Name given to generated frames as <see cref="TimeSeriesFrame.SourceName"/>.</summary>
    public const string SourceName = "synthetic-climate";

    private const double StepDays = 1.0 / 144;
    private const double StepHours = 1.0 / 6;

    /// <summary>Generates <paramref name="rows"/> 10-minute steps; the same seed always gives identical values.</summary>
    public static TimeSeriesFrame Generate(int rows = DefaultRows, int seed = 42)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        const int width = 14;
        var values = new float[rows * width];
        var timestamps = new DateTime[rows];
        var start = new DateTime(2009, 1, 1, 0, 10, 0);

        var random = new Xoshiro(seed);
        // Slow processes are two AR(1) filters in series: smooth at the 10-minute scale (lag-1 autocorrelation near 1)
        // yet mean-reverting over days, which is what makes the past informative beyond the last value.
        var pressure = new SmoothNoise(12, 3 * 24, 8.0);
        var weather = new SmoothNoise(6, 3.5 * 24, 4.0);
        var humidity = new SmoothNoise(3, 24, 1.6);
        var wind = new SmoothNoise(2, 12, 1.0);
        var direction = new SmoothNoise(2, 24, 1.0);
        var fast = new SmoothNoise(0.5, 1, 0.3);
        var gust = new SmoothNoise(0.2, 0.5, 1.0);
        double pressureAverage = 0;
        const double pressureAveraging = StepHours / 24;

        // The day has exactly 144 steps, so the diurnal shape is a table. Warmest at 15:00, with a faster
        // morning rise than evening fall; row i is at (i + 1) * 10 minutes past midnight.
        Span<double> diurnal = stackalloc double[144];
        for (int k = 0; k < 144; k++)
        {
            double phase = 2 * Math.PI * ((k + 1) * StepHours - 15) / 24;
            diurnal[k] = (Math.Cos(phase) + 0.2 * Math.Sin(2 * phase)) / 1.05;
        }

        for (int i = 0; i < rows; i++)
        {
            double days = (i + 1) * StepDays;
            timestamps[i] = start.AddTicks(i * TimeSpan.TicksPerMinute * 10);

            double p = pressure.Next(random);
            if (i == 0)
                pressureAverage = p;
            pressureAverage += pressureAveraging * (p - pressureAverage);
            // Falling pressure (an approaching low) brings warm air; rising pressure cooler air.
            double tendency = p - pressureAverage;

            // Coldest around 20 January; summer in [0, 1] peaks around 20 July.
            double annual = Math.Cos(2 * Math.PI * (days - 20) / 365.25);
            double summer = 0.5 - 0.5 * annual;
            double shape = diurnal[i % 144];
            // Clear skies under high pressure widen the daily range.
            double amplitude = 3.8 * (0.7 + 0.6 * summer) * (1 + 0.3 * Math.Tanh(p / 8));

            // Winter weather swings more (cold outbreaks, inversions) than summer weather.
            double anomaly = (1.25 - 0.5 * summer) * weather.Next(random);
            double t = 9.5 - 9.0 * annual + amplitude * shape + anomaly - 0.3 * tendency + fast.Next(random);
            double depression = Math.Max(0, 1.5 + 2.0 * summer + 0.85 * amplitude * (shape + 0.7) + 0.1 * p + humidity.Next(random));
            double tdew = t - depression;
            double pressureMbar = 989.0 + p;

            double vpMax = Magnus(t);
            double vpAct = Math.Min(Magnus(tdew), vpMax);
            double rh = Math.Min(100.0, 100.0 * vpAct / vpMax);
            double kelvin = t + 273.15;

            double wv = Softplus(1.6 + 0.45 * shape + 0.8 * wind.Next(random) - 0.05 * p);
            double maxWv = wv * (1.4 + 0.3 * Math.Abs(gust.Next(random))) + 0.1;
            double wd = 225 + 100 * direction.Next(random) + 40 * Math.Tanh(tendency / 4);
            wd -= 360 * Math.Floor(wd / 360);

            var row = values.AsSpan(i * width, width);
            row[0] = (float)pressureMbar;
            row[1] = (float)t;
            row[2] = (float)(kelvin * Math.Pow(1000 / pressureMbar, 0.286));
            row[3] = (float)tdew;
            row[4] = (float)rh;
            row[5] = (float)vpMax;
            row[6] = (float)vpAct;
            row[7] = (float)(vpMax - vpAct);
            row[8] = (float)(1000 * 0.622 * vpAct / (pressureMbar - 0.378 * vpAct));
            row[9] = (float)(1000 * vpAct / pressureMbar);
            row[10] = (float)(pressureMbar * 100 / (287.058 * kelvin) * 1000);
            row[11] = (float)wv;
            row[12] = (float)maxWv;
            // Rounding just below 360 to float can give exactly 360; the range is [0, 360).
            float wdFloat = (float)wd;
            row[13] = wdFloat >= 360f ? 0f : wdFloat;
        }
        return new TimeSeriesFrame(ColumnNames, values, timestamps, SourceName);
    }

    /// <summary>Saturation vapour pressure in mbar over water (Magnus formula, Alduchov and Eskridge constants).</summary>
    private static double Magnus(double celsius) => 6.1094 * Math.Exp(17.625 * celsius / (celsius + 243.04));

    private static double Softplus(double x) => x > 20 ? x : Math.Log(1 + Math.Exp(x));

    /// <summary>
    /// Unit white noise through two AR(1) filters with time constants in hours, scaled to a stationary standard
    /// deviation and started in its stationary distribution so the first days look like the rest.
    /// </summary>
    private sealed class SmoothNoise
    {
        private readonly double _phi1, _phi2, _innovation, _scale, _slowStd;
        private double _x1, _x2;
        private bool _started;

        public SmoothNoise(double fastHours, double slowHours, double std)
        {
            _phi1 = Math.Exp(-StepHours / fastHours);
            _phi2 = Math.Exp(-StepHours / slowHours);
            _innovation = Math.Sqrt(1 - _phi1 * _phi1);
            // Stationary variance of x2 = (1 - φ2) Σ φ2^k x1[t-k] for unit-variance AR(1) x1.
            double variance = (1 - _phi2) * (1 - _phi2) / (1 - _phi2 * _phi2) * (1 + _phi1 * _phi2) / (1 - _phi1 * _phi2);
            _slowStd = Math.Sqrt(variance);
            _scale = std / _slowStd;
        }

        public double Next(Xoshiro random)
        {
            if (!_started)
            {
                _started = true;
                _x1 = random.NextGaussian();
                // Right variance, ignoring the small correlation with x1: close enough to stationary.
                _x2 = _slowStd * random.NextGaussian();
            }
            _x1 = _phi1 * _x1 + _innovation * random.NextGaussian();
            _x2 = _phi2 * _x2 + (1 - _phi2) * _x1;
            return _scale * _x2;
        }
    }

    /// <summary>xoshiro256** with SplitMix64 seeding: fixed here so that a seed gives the same data on every .NET version.</summary>
    private sealed class Xoshiro
    {
        private ulong _s0, _s1, _s2, _s3;
        private double _spare;
        private bool _hasSpare;

        public Xoshiro(int seed)
        {
            ulong x = (ulong)(uint)seed;
            _s0 = SplitMix(ref x);
            _s1 = SplitMix(ref x);
            _s2 = SplitMix(ref x);
            _s3 = SplitMix(ref x);
        }

        private static ulong SplitMix(ref ulong x)
        {
            ulong z = x += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        private ulong NextUInt64()
        {
            ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
            ulong t = _s1 << 17;
            _s2 ^= _s0;
            _s3 ^= _s1;
            _s1 ^= _s2;
            _s0 ^= _s3;
            _s2 ^= t;
            _s3 = ulong.RotateLeft(_s3, 45);
            return result;
        }

        /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
        private double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Standard normal by Marsaglia's polar method: one logarithm per pair and no trigonometry.</summary>
        public double NextGaussian()
        {
            if (_hasSpare)
            {
                _hasSpare = false;
                return _spare;
            }
            double u, v, s;
            do
            {
                u = 2 * NextDouble() - 1;
                v = 2 * NextDouble() - 1;
                s = u * u + v * v;
            }
            while (s >= 1 || s == 0);
            double factor = Math.Sqrt(-2 * Math.Log(s) / s);
            _spare = v * factor;
            _hasSpare = true;
            return u * factor;
        }
    }
}
