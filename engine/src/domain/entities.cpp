#include "domain/entities.h"

#include "domain/entity_table.h"
#include "domain/timezone.h"

namespace kartiba {

void to_json(json& j, const ZonedTime& t) {
  j = json{{"local", t.local}, {"tz", t.tz}};
  if (t.offset) j["offset"] = *t.offset;
}
void from_json(const json& j, ZonedTime& t) {
  t.local = j.value("local", "");
  t.tz = j.value("tz", "");
  auto o = j.find("offset");
  if (o != j.end() && o->is_string()) t.offset = o->get<std::string>();
  else t.offset.reset();
  t.utc_s = instant_of(j);
}

void to_json(json& j, const PledgeMaker& b) {
  j = json{{"municipality", b.municipality}};
  if (b.person) j["person"] = *b.person;
}
void from_json(const json& j, PledgeMaker& b) {
  b.municipality = j.value("municipality", "");
  auto p = j.find("person");
  if (p != j.end() && p->is_string()) b.person = p->get<std::string>();
  else b.person.reset();
}

void to_json(json& j, const DateWindow& w) { j = json{{"from", w.from}, {"to", w.to}}; }
void from_json(const json& j, DateWindow& w) {
  w.from = j.value("from", "");
  w.to = j.value("to", "");
}

void to_json(json& j, const ProgressReport& r) {
  j = json{{"percent", r.percent}, {"note", r.note}, {"at", r.at}, {"actor", r.actor}, {"revision", r.revision}};
}
void from_json(const json& j, ProgressReport& r) {
  r.percent = j.value("percent", int64_t(0));
  r.note = j.value("note", "");
  r.at = j.value("at", "");
  r.actor = j.value("actor", "");
  r.revision = j.value("revision", uint64_t(0));
}

void to_json(json& j, const Release& r) {
  j = json{{"name", r.name}, {"note", r.note}, {"revision", r.revision}, {"at", r.at}, {"actor", r.actor}};
}
void from_json(const json& j, Release& r) {
  r.name = j.value("name", "");
  r.note = j.value("note", "");
  r.revision = j.value("revision", uint64_t(0));
  r.at = j.value("at", "");
  r.actor = j.value("actor", "");
}

namespace {

template <class T>
json optional_json(const std::optional<T>& v) {
  return v ? json(*v) : json();
}
template <class T>
void optional_from(std::optional<T>& v, const json& j) {
  if (j.is_null())
    v.reset();
  else
    v = j.get<T>();
}

// A field kept in member M of E.
template <class E, auto M>
constexpr FieldDef<E> field(const char* name) {
  return {name, [](const E& e) { return optional_json(e.*M); }, [](E& e, const json& j) { optional_from(e.*M, j); }};
}

}  // namespace

template <>
const std::array<FieldDef<PlanFields>, PlanFields::kFieldCount>& field_defs<PlanFields>() {
  using E = PlanFields;
  static const std::array<FieldDef<E>, E::kFieldCount> d = {
      field<E, &E::id>("id"),
      field<E, &E::title>("title"),
      field<E, &E::timezone>("timezone"),
      field<E, &E::language>("language"),
      field<E, &E::start_date>("start_date"),
      field<E, &E::end_date>("end_date"),
      field<E, &E::description>("description"),
      field<E, &E::organiser>("organiser"),
      field<E, &E::place>("place"),
      field<E, &E::priority_sdgs>("priority_sdgs"),
  };
  return d;
}

template <>
const std::array<FieldDef<Day>, Day::kFieldCount>& field_defs<Day>() {
  using E = Day;
  static const std::array<FieldDef<E>, E::kFieldCount> d = {field<E, &E::title>("title"),
                                                            field<E, &E::place>("place")};
  return d;
}

template <>
const std::array<FieldDef<Venue>, Venue::kFieldCount>& field_defs<Venue>() {
  using E = Venue;
  static const std::array<FieldDef<E>, E::kFieldCount> d = {
      field<E, &E::name>("name"),       field<E, &E::building>("building"), field<E, &E::room>("room"),
      field<E, &E::address>("address"), field<E, &E::city>("city"),         field<E, &E::country>("country"),
  };
  return d;
}

template <>
const std::array<FieldDef<Person>, Person::kFieldCount>& field_defs<Person>() {
  using E = Person;
  static const std::array<FieldDef<E>, E::kFieldCount> d = {
      field<E, &E::name>("name"), field<E, &E::role>("role"), field<E, &E::organisation>("organisation")};
  return d;
}

template <>
const std::array<FieldDef<Item>, Item::kFieldCount>& field_defs<Item>() {
  using E = Item;
  static const std::array<FieldDef<E>, E::kFieldCount> d = {
      field<E, &E::title>("title"),   field<E, &E::kind>("kind"),   field<E, &E::start>("start"),
      field<E, &E::end>("end"),       field<E, &E::venue>("venue"), field<E, &E::description>("description"),
      field<E, &E::topics>("topics"), field<E, &E::status>("status"), field<E, &E::sdgs>("sdgs"),
      field<E, &E::track>("track"),   field<E, &E::speakers>("speakers"),
  };
  return d;
}

template <>
const std::array<FieldDef<Pledge>, Pledge::kFieldCount>& field_defs<Pledge>() {
  using E = Pledge;
  static const std::array<FieldDef<E>, E::kFieldCount> d = {
      field<E, &E::by>("by"),
      field<E, &E::title>("title"),
      field<E, &E::description>("description"),
      field<E, &E::sdgs>("sdgs"),
      field<E, &E::targets>("targets"),
      field<E, &E::campaign>("campaign"),
      field<E, &E::window>("window"),
      field<E, &E::item>("item"),
      field<E, &E::status>("status"),
      field<E, &E::progress>("progress"),
      field<E, &E::status_note>("status_note"),
      field<E, &E::reports>("reports"),
  };
  return d;
}

template <>
const std::array<FieldDef<RecordedDecision>, RecordedDecision::kFieldCount>& field_defs<RecordedDecision>() {
  using E = RecordedDecision;
  static const std::array<FieldDef<E>, E::kFieldCount> d = {
      field<E, &E::title>("title"),       field<E, &E::text>("text"),         field<E, &E::items>("items"),
      field<E, &E::pledges>("pledges"),   field<E, &E::revision>("revision"), field<E, &E::at>("at"),
      field<E, &E::actor>("actor"),
  };
  return d;
}

}  // namespace kartiba
