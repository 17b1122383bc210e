# langdetect reads its language profiles from a directory beside its own
# __file__ (os.path.dirname(__file__) + '/profiles', no __init__.py there).
import sys
from langdetect import DetectorFactory, detect_langs
DetectorFactory.seed = 0
for text in sys.argv[1:]:
    print(text[:20], [(l.lang, round(l.prob, 2)) for l in detect_langs(text)][:2])
