using System.Text.Json;
using Microsoft.Data.Sqlite;
using OnSale.Gateway.Availability;

namespace OnSale.Gateway.Storage.Embedded;

/// <summary>
/// The last good availability answers in SQLite: one row per performance and one for the performance list, each
/// replaced only by a newer answer. <c>asOf</c> is kept in ticks, so that a restored answer says exactly what it said.
/// </summary>
internal sealed class SqliteAvailabilityStore(SqliteDatabase database) : IAvailabilityStore
{
    public Task<LastKnownAnswers> LoadAsync(CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        PerformanceList? performances = null;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT as_of_ticks, performances FROM last_known_performances WHERE id = 0;";
            using var r = command.ExecuteReader();
            if (r.Read())
            {
                performances = new PerformanceList(
                    JsonSerializer.Deserialize(r.GetString(1), AvailabilityJsonContext.Default.IReadOnlyListPerformance) ?? [],
                    AsOf(r.GetInt64(0)));
            }
        }

        var availability = new List<AvailabilitySnapshot>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT performance_id, as_of_ticks, zones FROM last_known_availability ORDER BY performance_id;";
            using var r = command.ExecuteReader();
            while (r.Read())
            {
                availability.Add(new AvailabilitySnapshot(
                    r.GetInt32(0),
                    JsonSerializer.Deserialize(r.GetString(2), AvailabilityJsonContext.Default.IReadOnlyListZone) ?? [],
                    AsOf(r.GetInt64(1))));
            }
        }

        return Task.FromResult(new LastKnownAnswers(performances, availability));
    }

    public Task SaveAsync(PerformanceList? performances, IReadOnlyCollection<AvailabilitySnapshot> availability, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) =>
            {
                if (performances is not null)
                {
                    using var command = Command(connection, transaction, """
                        INSERT INTO last_known_performances (id, as_of_ticks, performances) VALUES (0, $as_of, $body)
                        ON CONFLICT (id) DO UPDATE SET as_of_ticks = excluded.as_of_ticks, performances = excluded.performances
                        WHERE excluded.as_of_ticks >= last_known_performances.as_of_ticks;
                        """);
                    command.Parameters.AddWithValue("$as_of", performances.AsOf.UtcTicks);
                    command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(performances.Performances, AvailabilityJsonContext.Default.IReadOnlyListPerformance));
                    command.ExecuteNonQuery();
                }

                foreach (var snapshot in availability)
                {
                    using var command = Command(connection, transaction, """
                        INSERT INTO last_known_availability (performance_id, as_of_ticks, zones) VALUES ($id, $as_of, $body)
                        ON CONFLICT (performance_id) DO UPDATE SET as_of_ticks = excluded.as_of_ticks, zones = excluded.zones
                        WHERE excluded.as_of_ticks >= last_known_availability.as_of_ticks;
                        """);
                    command.Parameters.AddWithValue("$id", snapshot.PerformanceId);
                    command.Parameters.AddWithValue("$as_of", snapshot.AsOf.UtcTicks);
                    command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(snapshot.Zones, AvailabilityJsonContext.Default.IReadOnlyListZone));
                    command.ExecuteNonQuery();
                }

                return 0;
            },
            cancellationToken);

    private static DateTimeOffset AsOf(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}
