-- Stop starting documents; the ones in flight finish.
obj.spec.suspend = true
return obj
