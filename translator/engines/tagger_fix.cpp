// A fix for apertium-tagger, loaded into it with LD_PRELOAD (translator/engines/tagger_fix.py).
//
// Apertium's tagger_utils::find_similar_ambiguity_class (apertium/tagger_utils.cc) looks
// for a known ambiguity class close to a word's unknown one, and does so through a
// reference to the tagger's open class: each time it finds one, it overwrites the open
// class, the readings every later unknown word gets. A long-running tagger (null-flush
// mode: Apertium's server, this service) thus tags each sentence as if the words of all
// earlier sentences had come before it. This is the same search on a copy: the open
// class stays as the tagger loaded it.
//
// The declarations below are the few members of Apertium's classes the search calls;
// the tagger's own libapertium provides them (checked by tagger_fix.py before use).

#include <algorithm>
#include <set>

class Collection {
 public:
  int size();
  const std::set<int> &operator[](int n);
};

class TaggerData {
 public:
  std::set<int> &getOpenClass();
  Collection &getOutput();
};

namespace tagger_utils {

std::set<int> &find_similar_ambiguity_class(TaggerData &td, std::set<int> &c) {
  thread_local std::set<int> found;
  found = td.getOpenClass();
  Collection &output = td.getOutput();
  for (int k = 0; k < output.size(); k++) {
    const std::set<int> &ambiguity_class = output[k];
    if (ambiguity_class.size() >= found.size()) continue;
    if (std::includes(ambiguity_class.begin(), ambiguity_class.end(), c.begin(), c.end()))
      found = ambiguity_class;
  }
  return found;
}

}  // namespace tagger_utils
