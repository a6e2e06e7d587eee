namespace OnSale.Gateway.Storage.Redis;

/// <summary>
/// The waiting room's Lua scripts (<see cref="RedisRoom"/>): every join, poll, spend and admission round is one script,
/// atomic on the room's keys, all of one hash tag so that they run on Redis Cluster too. The room's places are one
/// string of 32-byte slots (as <see cref="WaitingRoom.Room"/> keeps them in memory), the line a string of 4-byte
/// slot indexes by order key; the lobby is the first slots (nobody else joins before the opening), placed at random
/// once, at opening, through <c>rank</c> (slot index → order key).
/// </summary>
internal static class RedisRoomScripts
{
    /// <summary>The keys of one room, in the order every script takes them.</summary>
    public static string[] Keys(int performanceId)
    {
        var tag = $"{RedisConnection.Prefix}{{room:{performanceId}}}:";
        return [tag + "meta", tag + "slots", tag + "order", tag + "rank", tag + "admitted", tag + "named", tag + "clients"];
    }

    /// <summary>What every script shares: the keys, the slot's layout, the room's figures.</summary>
    private const string Prelude = """
        local meta, slots, order, rank, admitted, named, clients = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
        local FMT = '<c12i4I4I4i4BBBB'
        local LOBBY, WAITING, ADMITTED, DONE, EXPIRED, ABANDONED = 0, 1, 2, 3, 4, 5
        local FIELDS = {'opensAt', 'opened', 'shuffled', 'head', 'next', 'active', 'limit', 'rate', 'soldout', 'left',
          'taken', 'takers', 'isActive', 'turn', 'credit', 'lastTick', 'lastAdjust', 'lastBacklog', 'admHead', 'sealedAt', 'fresh', 'lobby'}
        local function load()
          local values = redis.call('HMGET', meta, unpack(FIELDS))
          local m = {}
          for k, name in ipairs(FIELDS) do m[name] = tonumber(values[k]) or 0 end
          if not values[7] then m.limit = 1 end
          if not values[10] then m.left = -1 end
          if not values[14] then m.turn = 3 end
          return m
        end
        local function save(m)
          local args = {}
          for _, name in ipairs(FIELDS) do
            args[#args + 1] = name
            args[#args + 1] = string.format('%.17g', m[name])
          end
          redis.call('HSET', meta, unpack(args))
        end
        local function count() return redis.call('STRLEN', slots) / 32 end
        local function slot(i)
          local s = {}
          s.check, s.ok, s.exp, s.seen, s.due, s.state, s.seats, s.kind = struct.unpack(FMT, redis.call('GETRANGE', slots, i * 32, i * 32 + 31))
          return s
        end
        local function put(i, s)
          redis.call('SETRANGE', slots, i * 32, struct.pack(FMT, s.check, s.ok, s.exp, s.seen, s.due, s.state, s.seats, s.kind, 0))
        end
        local function at(list, k) return (struct.unpack('<I4', redis.call('GETRANGE', list, k * 4, k * 4 + 3))) end
        local function find(i, check, hex)
          i = tonumber(i)
          if i < count() then
            local s = slot(i)
            if s.kind == 1 and s.check == check then return i, s end
          end
          local n = redis.call('HGET', named, hex)
          if n then
            n = tonumber(n)
            return n, slot(n)
          end
          return nil
        end
        local function sec(ms) return math.ceil(ms / 1000) end
        local function clamp32(v) return math.max(-2147483648, math.min(2147483647, v)) end
        local function see(s, now)
          local due = s.seen * 1000 + s.due
          s.seen = sec(now)
          s.due = clamp32(due - s.seen * 1000)
        end
        local function figures(m)
          return {m.opened, m.shuffled, m.soldout, m.isActive, m.head, m.next, m.active, math.floor(m.limit), tostring(m.rate),
            m.left, m.taken, m.takers, m.opensAt, count(), m.sealedAt, m.lobby}
        end
        local function answer(i, s, m, throttled, created)
          local state, ok = s.state, s.ok
          if state == LOBBY and m.shuffled == 1 then
            state, ok = WAITING, at(rank, i)
          end
          local a = {i, state, ok, s.exp, s.seats, throttled, created}
          for _, v in ipairs(figures(m)) do a[#a + 1] = v end
          return a
        end
        local function quiet(m, threshold)
          return m.isActive == 0 and m.head == m.next and m.active + redis.call('HLEN', clients) < threshold and m.soldout == 0
        end
        local function took(before, change)
          redis.call('HINCRBY', meta, 'taken', change)
          if before == 0 and change > 0 then redis.call('HINCRBY', meta, 'takers', 1)
          elseif before > 0 and before + change == 0 then redis.call('HINCRBY', meta, 'takers', -1) end
        end

        """;

    /// <summary>Makes the room if no node has: ARGV opensAt (ms), the first limit.</summary>
    public const string Create = Prelude + """
        redis.call('HSETNX', meta, 'opensAt', ARGV[1])
        redis.call('HSETNX', meta, 'limit', ARGV[2])
        return figures(load())
        """;

    /// <summary>The room's figures, or nothing when no node made it.</summary>
    public const string Read = Prelude + """
        if redis.call('EXISTS', meta) == 0 then return {} end
        return figures(load())
        """;

    /// <summary>
    /// A join: ARGV now, has an existing id (1/0), its index, check bits and hex, the new place's check bits and hex
    /// (hex empty: minted by index), access window (ms), activation threshold, admission paused (1/0: a newcomer queues).
    /// </summary>
    public const string Join = Prelude + """
        local now = tonumber(ARGV[1])
        local m = load()
        if ARGV[2] == '1' then
          local i, s = find(ARGV[3], ARGV[4], ARGV[5])
          if i then
            see(s, now)
            put(i, s)
            return answer(i, s, m, -1, 0)
          end
        end
        local i = count()
        local s = {check = ARGV[6], ok = -1, exp = 0, seen = sec(now), due = -2147483648, state = LOBBY, seats = 0, kind = 1}
        if ARGV[7] ~= '' then
          s.kind = 2
          redis.call('HSET', named, ARGV[7], i)
        end
        local threshold = tonumber(ARGV[9])
        if m.opened == 0 then
          s.state = LOBBY
        elseif ARGV[10] ~= '1' and quiet(m, threshold) then
          s.state, s.ok, s.exp = ADMITTED, m.next, sec(now + tonumber(ARGV[8]))
          redis.call('SETRANGE', order, m.next * 4, struct.pack('<I4', i))
          m.next = m.next + 1
          m.head = m.next
          redis.call('APPEND', admitted, struct.pack('<I4', i))
          m.active = m.active + 1
          if m.active + redis.call('HLEN', clients) >= threshold then m.isActive = 1 else m.isActive = 0 end
          save(m)
        else
          s.state, s.ok = WAITING, m.next
          redis.call('SETRANGE', order, m.next * 4, struct.pack('<I4', i))
          m.next = m.next + 1
          m.isActive = 1
          save(m)
        end
        put(i, s)
        return answer(i, s, m, -1, 1)
        """;

    /// <summary>
    /// A status check: ARGV now, index, check bits, hex, the poll budget's step (ms, 0 = none) and burst. The buyer is
    /// seen whether or not the poll is within the budget (a generic cell rate, as in memory).
    /// </summary>
    public const string Poll = Prelude + """
        local now = tonumber(ARGV[1])
        local i, s = find(ARGV[2], ARGV[3], ARGV[4])
        if not i then return {} end
        see(s, now)
        local throttled = -1
        local step, burst = tonumber(ARGV[5]), tonumber(ARGV[6])
        if step > 0 then
          local due = math.max(s.seen * 1000 + s.due, now)
          if due - now > step * burst then
            throttled = due - now - step * burst
          else
            s.due = clamp32(due + step - s.seen * 1000)
          end
        end
        put(i, s)
        return answer(i, s, load(), throttled, 0)
        """;

    /// <summary>Seats from an admitted buyer's share: ARGV now, index, check, hex, seats, budget. Returns {outcome, left}: 0 spent, 1 over budget, 2 not admitted.</summary>
    public const string Spend = Prelude + """
        local i, s = find(ARGV[2], ARGV[3], ARGV[4])
        if not i then return {2, 0} end
        local seats, budget = tonumber(ARGV[5]), tonumber(ARGV[6])
        local left = math.max(0, budget - s.seats)
        if seats > left then return {1, left} end
        if s.state ~= ADMITTED or s.exp * 1000 <= tonumber(ARGV[1]) then return {2, 0} end
        took(s.seats, seats)
        s.seats = s.seats + seats
        put(i, s)
        return {0, left - seats}
        """;

    /// <summary>Seats back to a buyer's share: ARGV index, check, hex, seats.</summary>
    public const string Refund = Prelude + """
        local i, s = find(ARGV[1], ARGV[2], ARGV[3])
        if not i then return 0 end
        local refunded = math.min(s.seats, tonumber(ARGV[4]))
        took(s.seats, -refunded)
        s.seats = s.seats - refunded
        put(i, s)
        return 1
        """;

    /// <summary>Ends an admitted buyer's turn: ARGV now, index, check, hex, access window (ms).</summary>
    public const string Release = Prelude + """
        local i, s = find(ARGV[2], ARGV[3], ARGV[4])
        if not i or s.state ~= ADMITTED then return 0 end
        local m = load()
        local window = tonumber(ARGV[5]) / 1000
        local turn = (tonumber(ARGV[1]) - (s.exp * 1000 - tonumber(ARGV[5]))) / 1000
        m.turn = m.turn + 0.05 * (math.max(0.5, math.min(turn, window)) - m.turn)
        m.active = m.active - 1
        save(m)
        s.state = DONE
        put(i, s)
        return 1
        """;

    /// <summary>
    /// Seats from a client's share while the room is quiet: ARGV now, client, seats, budget, access window (ms),
    /// threshold, admission paused (1/0: no new share). Returns {outcome, left} as <see cref="Spend"/>.
    /// </summary>
    public const string SpendAsClient = Prelude + """
        local now = tonumber(ARGV[1])
        local threshold = tonumber(ARGV[6])
        local value = redis.call('HGET', clients, ARGV[2])
        local expires, spent
        if value then expires, spent = string.match(value, '^(%d+):(%d+)$') end
        expires, spent = tonumber(expires), tonumber(spent)
        if not expires or expires <= now then
          redis.call('HDEL', clients, ARGV[2])
          local m = load()
          if m.opened == 0 or ARGV[7] == '1' or not quiet(m, threshold) then return {2, 0} end
          expires, spent = now + tonumber(ARGV[5]), 0
          redis.call('HSET', clients, ARGV[2], expires .. ':0')
          if m.active + redis.call('HLEN', clients) >= threshold then redis.call('HSET', meta, 'isActive', 1) else redis.call('HSET', meta, 'isActive', 0) end
        end
        local seats = tonumber(ARGV[3])
        local left = math.max(0, tonumber(ARGV[4]) - spent)
        if seats > left then return {1, left} end
        redis.call('HSET', clients, ARGV[2], string.format('%d:%d', expires, spent + seats))
        return {0, left - seats}
        """;

    /// <summary>Seats back to a client's share: ARGV client, seats.</summary>
    public const string RefundClient = """
        local value = redis.call('HGET', KEYS[7], ARGV[1])
        if not value then return 0 end
        local expires, spent = string.match(value, '^(%d+):(%d+)$')
        redis.call('HSET', KEYS[7], ARGV[1], string.format('%d:%d', tonumber(expires), math.max(0, tonumber(spent) - tonumber(ARGV[2]))))
        return 1
        """;

    /// <summary>
    /// Closes the lobby, once for the cluster: ARGV now. Everyone in it is the first slots; those who join from now on
    /// queue behind them. Returns the lobby's size when this call closed it, else -1.
    /// </summary>
    public const string Seal = Prelude + """
        local m = load()
        local now = tonumber(ARGV[1])
        if m.opened == 1 or now < m.opensAt then return -1 end
        local lobby = count()
        m.opened, m.head, m.next, m.sealedAt, m.lobby = 1, 0, lobby, now, lobby
        if lobby == 0 then m.shuffled, m.fresh = 1, 1 end
        if lobby > 0 then m.isActive = 1 end
        save(m)
        return lobby
        """;

    /// <summary>
    /// Places the lobby, once for the cluster: ARGV its size, the order (4-byte slot indexes), the ranks (4-byte order
    /// keys). Returns 1 when this call placed it.
    /// </summary>
    public const string Shuffle = Prelude + """
        local m = load()
        if m.opened ~= 1 or m.shuffled == 1 or m.lobby ~= tonumber(ARGV[1]) then return 0 end
        redis.call('SETRANGE', order, 0, ARGV[2])
        redis.call('SET', rank, ARGV[3])
        redis.call('HSET', meta, 'shuffled', 1, 'fresh', 1)
        return 1
        """;

    /// <summary>
    /// The cluster's admission round, when one is due (half an interval since the last, whichever node ran it): ARGV
    /// now, purchases per second, queued (1/0), backlog, trouble (1/0), sold out (1/0), seats left (-1 unknown), access
    /// window, abandon after, adjust interval, admission interval (ms), max active buyers, threshold, most admitted
    /// per round, admission paused (1/0: nobody is let in). Returns {ran, admitted, previous limit, limit} and the figures.
    /// </summary>
    public const string Tick = Prelude + """
        local now = tonumber(ARGV[1])
        local m = load()
        local function result(ran, admittedNow, previous)
          local a = {ran, admittedNow, previous, math.floor(m.limit)}
          for _, v in ipairs(figures(m)) do a[#a + 1] = v end
          return a
        end
        if m.lastTick > 0 and now - m.lastTick < tonumber(ARGV[11]) / 2 then return result(0, 0, math.floor(m.limit)) end
        local pps, queued, backlog, trouble, paused = tonumber(ARGV[2]), ARGV[3] == '1', tonumber(ARGV[4]), ARGV[5] == '1', ARGV[15] == '1'
        local window, abandon, threshold = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[13])
        local admittedCount = redis.call('STRLEN', admitted) / 4
        while m.admHead < admittedCount do
          local i = at(admitted, m.admHead)
          local s = slot(i)
          if s.state == ADMITTED and s.exp * 1000 > now then break end
          m.admHead = m.admHead + 1
          if s.state == ADMITTED then
            s.state = EXPIRED
            put(i, s)
            m.turn = m.turn + 0.05 * (window / 1000 - m.turn)
            m.active = m.active - 1
          end
        end
        local previous = math.floor(m.limit)
        m.soldout, m.left = tonumber(ARGV[6]), tonumber(ARGV[7])
        local reserve = math.max(2, pps)
        if now - m.lastAdjust >= tonumber(ARGV[10]) then
          local growing = backlog > 0 and backlog >= m.lastBacklog
          m.lastBacklog = backlog
          local target = pps * m.turn + reserve
          if m.soldout == 1 or trouble or growing then target = math.min(m.limit, m.active) end
          m.limit = math.max(1, math.min(target, tonumber(ARGV[12])))
          m.lastAdjust = now
        end
        if m.fresh == 1 then
          m.credit, m.fresh = reserve, 0
        elseif m.lastTick > 0 and now > m.lastTick then
          local pace = 1.5
          if queued then pace = 1 end
          m.credit = math.min(reserve, m.credit + pps * (now - m.lastTick) / 1000 * pace)
        end
        local admittedNow, looked, most = 0, 0, tonumber(ARGV[14])
        while m.opened == 1 and m.shuffled == 1 and m.soldout == 0 and not trouble and not queued and not paused and m.credit >= 1
          and m.active < math.floor(m.limit) and m.head < m.next and looked < most do
          local i = at(order, m.head)
          local s = slot(i)
          s.ok = m.head
          m.head = m.head + 1
          looked = looked + 1
          if now - s.seen * 1000 > abandon then
            s.state = ABANDONED
          else
            s.state, s.exp = ADMITTED, sec(now + window)
            redis.call('APPEND', admitted, struct.pack('<I4', i))
            m.active = m.active + 1
            admittedNow = admittedNow + 1
            m.credit = m.credit - 1
          end
          put(i, s)
        end
        if m.lastTick > 0 and now > m.lastTick then
          local seconds = (now - m.lastTick) / 1000
          m.rate = m.rate + (1 - math.exp(-seconds / 5)) * (admittedNow / seconds - m.rate)
        end
        m.lastTick = now
        local shares = redis.call('HGETALL', clients)
        for k = 1, #shares, 2 do
          local expires = tonumber(string.match(shares[k + 1], '^(%d+)'))
          if not expires or expires <= now then redis.call('HDEL', clients, shares[k]) end
        end
        if m.isActive == 1 and m.head == m.next and m.active + redis.call('HLEN', clients) < threshold then m.isActive = 0 end
        save(m)
        return result(1, admittedNow, previous)
        """;
}
