package dev.ppml.jobs;

import java.util.Objects;

/** A row of the people data set: {@code name,age,job}. A Flink POJO. */
public class Person {
    /** The CSV columns, in order. */
    public static final String[] COLUMNS = {"name", "age", "job"};

    public String name;
    public int age;
    public String job;

    public Person() {}

    public Person(String name, int age, String job) {
        this.name = name;
        this.age = age;
        this.job = job;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Person)) {
            return false;
        }
        Person p = (Person) o;
        return age == p.age && Objects.equals(name, p.name) && Objects.equals(job, p.job);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, age, job);
    }

    /** The CSV line of this person (names are lowercase letters: no quoting needed). */
    @Override
    public String toString() {
        return name + "," + age + "," + job;
    }
}
