#!/usr/bin/env python3
"""gen_stream.py - a synthetic stream of news items in the input form of `wiredesk cluster`.

usage: gen_stream.py [-n ITEMS] [--days DAYS] [--seed SEED] [-o FILE] [--labels FILE]

One JSON object a line ({"id", "source", "title", "url", "date_published", "summary"?,
"priority"?}), in date order, the same bytes for the same arguments (standard library only).

The shape, so that a clusterer has realistic work to do:
- stories of geometric size (mean 4, a quarter of them single items, capped at 400), their starts
  spread evenly over DAYS; a story's later items come an exponential delay after its first (mean
  2 h, at most 12 h); a 24 h window holds the items of the stories begun in the last 24 h, about
  0.55-0.7 N / DAYS items (the defaults, 4,000,000 items over 2 days, fill a window of 1.0-1.4M);
- titles mix 2-3 of the story's 4 key words (drawn from the rare part of the vocabulary, some as
  capitalized names) with 3-7 filler words from a Zipf vocabulary of VOCAB words whose head is
  real English function words; some carry BREAKING:/UPDATE 1-/WATCH: prefixes or a trailing
  " - Publisher"; about 1% of stories are generic titles that recur across days and sources;
- SOURCES publishers, Zipf-weighted (a few wires post much of the stream; 1% carry a priority);
- urls mostly distinct; 7% of items are syndicated copies of an earlier item of their story (the
  same url plus tracking parameters, the same title and lead, boilerplate around it), 3% updates
  of an earlier item (same source and id, revised title, later date);
- 60% of items carry a summary: a lead of 20-40 words, the story's wire lead (copied by 30% of
  rewrites, with boilerplate) or the outlet's own.
--labels writes "id<TAB>story" for every line, the truth to score a clusterer's output against.
"""

import argparse
import heapq
import json
import random
import sys
import time

BASE_DATE = 1704067200          # 2024-01-01T00:00:00Z
HEAD_WORDS = ("the of to in a and for on is says with at as by after over new from up"
              " be will are has have not more than into out about its amid who us says"
              " could may what how why first last day year police report plan deal").split()
PREFIXES = ("BREAKING: ", "UPDATE 1-", "UPDATE 2-", "WATCH: ", "EXCLUSIVE: ", "Breaking News: ")
GENERIC = ("10 Things You Need To Know This Morning", "Morning Briefing", "The Daily Digest",
           "What You Need To Know Today", "Top Stories Of The Day", "Evening Update",
           "Markets Wrap", "Today In History", "Week In Review", "Your Weekend Reading List",
           "5 Things To Watch This Week", "Live Updates", "News In Brief", "Photos Of The Day",
           "Letters To The Editor", "Weather Forecast", "Podcast: The Week", "Open Thread",
           "Quiz Of The Week", "Editor's Picks")
BOILERPLATE = ("You may also like:", "Leave a Reply", "Read more at the source.",
               "Share this: Twitter Facebook Email", "Sign up for our newsletter.",
               "Advertisement", "Related Posts", "Copyright all rights reserved.")
TRACKING = ("utm_source=feed&utm_medium=rss", "utm_source=twitter&utm_campaign=social",
            "ref=rss", "fbclid=IwAR0abc", "utm_medium=email&utm_source=newsletter")
CONS = "b c d f g h j k l m n p r s t v w z br ch dr gr kr pl sh st tr th".split()
VOWELS = "a e i o u ai ea io ou".split()


def make_words(rng, n):
    words, seen = list(HEAD_WORDS), set(HEAD_WORDS)
    r, nc, nv = rng.random, len(CONS), len(VOWELS)
    syl = [c + v for c in CONS for v in VOWELS]
    while len(words) < n:
        w = "".join(syl[int(r() * len(syl))] for _ in range(1 + int(r() * 4)))
        if r() < 0.3:
            w += "nrstlkm"[int(r() * 7)]
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def cum_zipf(n, s):
    cw, t = [], 0.0
    for k in range(1, n + 1):
        t += 1.0 / k ** s
        cw.append(t)
    return cw


def rfc3339(t):
    return "%s%02d:%02d:%02dZ" % (day(t)[1], t % 86400 // 3600, t % 3600 // 60, t % 60)


_days = {}


def day(t):
    """("YYYY/MM/DD", "YYYY-MM-DDT") of a time, computed once a day."""
    d = _days.get(t // 86400)
    if d is None:
        d = _days[t // 86400] = (time.strftime("%Y/%m/%d", time.gmtime(t)), time.strftime("%Y-%m-%dT", time.gmtime(t)))
    return d


class Gen:
    def __init__(self, a):
        self.rng = random.Random(a.seed)
        rng = self.rng
        self.words = make_words(rng, a.vocab)
        self.sources = []
        for i in range(a.sources):
            name = " ".join(w.capitalize() for w in rng.sample(self.words[200:20000], rng.choice((1, 2, 2, 3))))
            if rng.random() < 0.3:
                name = "The " + name
            dom = name.lower().replace("the ", "").replace(" ", "") + rng.choice((".com", ".co.uk", ".net", ".org", ".news"))
            prio = 10 if rng.random() < 0.01 else None
            self.sources.append((name + (" %d" % i if i >= 1000 and rng.random() < 0.1 else ""), dom, prio))
        self.source_cw = cum_zipf(a.sources, 0.8)
        self.n = a.items
        self.span = a.days * 86400
        self.summary_frac = a.summary
        self.counter = 0
        self.stories = 0

    def filler(self, k):
        # Zipf with exponent 1: P(rank) ~ 1/rank, sampled by inverting its continuous CDF (rank = N^u).
        words, n, r = self.words, len(self.words), self.rng.random
        return [words[int(n ** r()) - 1] for _ in range(k)]

    def mix(self, keys, k):
        """k filler words with keys put at random places (filler is random already: no shuffle)."""
        words, r = self.filler(k), self.rng.random
        for w in keys:
            words.insert(int(r() * (len(words) + 1)), w)
        return words

    def source(self):
        return self.rng.choices(self.sources, cum_weights=self.source_cw)[0]

    def new_story(self):
        rng = self.rng
        self.stories += 1
        if rng.random() < 0.01:
            return {"generic": rng.choice(GENERIC), "size": 1, "left": 1, "emitted": [], "n": self.stories}
        size = 1
        while rng.random() > 0.25 and size < 400:
            size += 1
        keys = [self.words[rng.randrange(2000, len(self.words))] for _ in range(4)]
        for i in range(rng.choice((1, 2))):
            keys[i] = keys[i].capitalize()
        lead = self.mix(keys[:3], rng.randrange(20, 40))
        return {"keys": keys, "lead": " ".join(lead).capitalize() + ".", "size": size, "left": size, "emitted": [],
                "n": self.stories}

    def url(self, dom, t, title):
        self.counter += 1
        slug = "-".join(w.lower() for w in title.split()[:6] if w.isalnum())
        return "https://www.%s/%s/%s-%d" % (dom, day(t)[0], slug, self.counter)

    def item(self, st, t):
        rng = self.rng
        em = st["emitted"]
        o = {}
        r = rng.random()
        if "generic" in st:
            src = self.source()
            o["title"] = st["generic"]
            o["url"] = self.url(src[1], t, st["generic"])
            o["id"] = o["url"]
        elif em and r < 0.03:            # an update of an earlier item: same source and id
            prev = rng.choice(em)
            src = prev["src"]
            words = prev["title"].split()
            words[rng.randrange(len(words))] = self.filler(1)[0]
            o["id"], o["url"] = prev["id"], prev["url"]
            o["title"] = rng.choice(("UPDATE 2-", "")) + " ".join(words)
            if "summary" in prev:
                o["summary"] = prev["summary"] + " " + " ".join(self.filler(8)) + "."
        elif em and r < 0.10:            # a syndicated copy: the same url plus tracking, another source
            prev = rng.choice(em)
            src = self.source()
            o["title"] = prev["title"] + (" - " + src[0] if rng.random() < 0.5 else "")
            sep = "&" if "?" in prev["url"] else "?"
            o["url"] = prev["url"] + sep + rng.choice(TRACKING)
            o["id"] = "tag:%s,%d:%d" % (src[1], 2024, self.counter)
            self.counter += 1
            if "summary" in prev:
                o["summary"] = rng.choice(BOILERPLATE) + " " + prev["summary"] + " " + rng.choice(BOILERPLATE)
        else:                            # an outlet's own rewrite
            src = self.source()
            words = self.mix(rng.sample(st["keys"], rng.choice((2, 3, 3))), rng.randrange(3, 8))
            title = " ".join(words)
            title = title[0].upper() + title[1:]
            if rng.random() < 0.05:
                title = rng.choice(PREFIXES) + title
            if rng.random() < 0.2:
                title += " - " + src[0]
            o["title"] = title
            o["url"] = self.url(src[1], t, title)
            o["id"] = o["url"] if rng.random() < 0.5 else "tag:%s,2024:%d" % (src[1], self.counter)
            if rng.random() < self.summary_frac:
                if rng.random() < 0.3:
                    o["summary"] = st["lead"] + " " + rng.choice(BOILERPLATE)
                else:
                    lead = self.mix(rng.sample(st["keys"], 2), rng.randrange(20, 40))
                    o["summary"] = " ".join(lead).capitalize() + "."
        out = {"id": o["id"], "source": src[0], "title": o["title"], "url": o["url"],
               "date_published": rfc3339(t)}
        if "summary" in o:
            out["summary"] = o["summary"]
        if src[2] is not None:
            out["priority"] = src[2]
        if "generic" not in st:
            em.append({"src": src, "id": o["id"], "url": o["url"], "title": o["title"],
                       **({"summary": o["summary"]} if "summary" in o else {})})
            if len(em) > 16:
                del em[rng.randrange(16)]
        return out

    def run(self, f, labels=None):
        rng = self.rng
        heap, seq, written = [], 0, 0
        stories_per_s = self.n / 4.0 / self.span
        t = float(BASE_DATE)
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
        lines = []
        while written < self.n:
            t += rng.expovariate(stories_per_s)
            while heap and heap[0][0] <= t and written < self.n:
                d, _, st = heapq.heappop(heap)
                o = self.item(st, int(d))
                lines.append(dumps(o))
                if labels is not None:
                    labels.write("%s\t%d\n" % (o["id"], st["n"]))
                written += 1
                if len(lines) >= 10000:
                    f.write("\n".join(lines) + "\n")
                    lines = []
            st = self.new_story()
            heapq.heappush(heap, (t, seq, st))
            seq += 1
            for _ in range(st["size"] - 1):
                heapq.heappush(heap, (t + min(rng.expovariate(1 / 7200.0), 43200.0), seq, st))
                seq += 1
        if lines:
            f.write("\n".join(lines) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-n", "--items", type=int, default=4000000)
    p.add_argument("--days", type=float, default=2.0, help="the span of the dates (default 2)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--vocab", type=int, default=300000, help="distinct words (default 300000)")
    p.add_argument("--sources", type=int, default=3000, help="publishers (default 3000)")
    p.add_argument("--summary", type=float, default=0.6, help="share of rewrites with a summary (default 0.6)")
    p.add_argument("-o", "--output", default="-")
    p.add_argument("--labels", help="write id<TAB>story lines here")
    a = p.parse_args()
    g = Gen(a)
    labels = open(a.labels, "w", encoding="utf-8") if a.labels else None
    if a.output == "-":
        g.run(sys.stdout, labels)
    else:
        with open(a.output, "w", encoding="utf-8") as f:
            g.run(f, labels)
    if labels is not None:
        labels.close()


if __name__ == "__main__":
    main()
