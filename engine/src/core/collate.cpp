#include "core/collate.h"

#include <memory>
#include <mutex>
#include <stdexcept>

#include <unicode/coll.h>
#include <unicode/locid.h>
#include <unicode/stringpiece.h>

namespace kartiba {
namespace {

constexpr int kLanguages = 2;

const char* locale_name(int language) { return language == static_cast<int>(CollationLanguage::en) ? "en" : "lv"; }

// Opening a collator loads its rules (tens of µs): done once per language; each thread then
// clones it, since one ICU collator must not be used by two threads at once.
const icu::Collator& prototype(int language) {
  static std::once_flag once[kLanguages];
  static std::unique_ptr<icu::Collator> made[kLanguages];
  std::call_once(once[language], [language] {
    UErrorCode status = U_ZERO_ERROR;
    made[language].reset(icu::Collator::createInstance(icu::Locale(locale_name(language)), status));
    if (U_FAILURE(status) || !made[language])
      throw std::runtime_error(std::string("ICU collator for ") + locale_name(language) + ": " + u_errorName(status));
  });
  return *made[language];
}

icu::Collator& collator(CollationLanguage language) {
  const int i = static_cast<int>(language);
  thread_local std::unique_ptr<icu::Collator> mine[kLanguages];
  if (!mine[i]) {
    mine[i].reset(prototype(i).clone());
    if (!mine[i]) throw std::runtime_error("ICU collator: clone failed");
  }
  return *mine[i];
}

}  // namespace

CollationLanguage collation_language(std::string_view code) {
  return code == "en" ? CollationLanguage::en : CollationLanguage::lv;
}

int collate(std::string_view a, std::string_view b, CollationLanguage language) {
  UErrorCode status = U_ZERO_ERROR;
  const UCollationResult r = collator(language).compareUTF8(
      icu::StringPiece(a.data(), static_cast<int32_t>(a.size())), icu::StringPiece(b.data(), static_cast<int32_t>(b.size())),
      status);
  if (U_SUCCESS(status) && r != UCOL_EQUAL) return r == UCOL_LESS ? -1 : 1;
  // Equal to the collator (or it failed): bytes decide.
  return a.compare(b) < 0 ? -1 : a == b ? 0 : 1;
}

}  // namespace kartiba
